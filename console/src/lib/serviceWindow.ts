// The 24-hour customer service window: open until 24 h after the customer's last message.
export interface WindowState {
  open: boolean;
  msLeft: number;
}

export function windowState(expiresAt: string | null | undefined, now: number): WindowState {
  if (!expiresAt) return { open: false, msLeft: 0 };
  const msLeft = Date.parse(expiresAt) - now;
  return msLeft > 0 ? { open: true, msLeft } : { open: false, msLeft: 0 };
}

/** "23 h 59 min", "12 min", "45 s": what is left, to the minute (seconds in the last minute). */
export function formatLeft(msLeft: number): string {
  const seconds = Math.max(0, Math.floor(msLeft / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}
