"""The vocabulary: API request and response models, queue tasks, and the domain types stores speak."""
