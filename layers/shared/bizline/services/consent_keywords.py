"""A business's opt-out and opt-in words: the defaults, and the ones the business adds (it cannot take any away)."""

from bizline.adapters import subscribers_store
from bizline.clock import utc_now
from bizline.errors import ValidationFailed
from bizline.models.subscribers import ConsentKeywords, ConsentKeywordsView
from bizline.rules.consent_keywords import Keywords, with_business_words


def business_keywords(business_id: str) -> Keywords:
    """The defaults and the business's own words."""
    opt_out, opt_in = subscribers_store.get_keywords(business_id)
    return with_business_words(opt_out, opt_in)


def get_keywords(business_id: str) -> ConsentKeywordsView:
    """The words that opt a customer out and in at the business."""
    opt_out, opt_in = subscribers_store.get_keywords(business_id)
    words = with_business_words(opt_out, opt_in)
    return ConsentKeywordsView(
        opt_out=sorted(words.opt_out), opt_in=sorted(words.opt_in), own_opt_out=opt_out, own_opt_in=opt_in
    )


def set_keywords(business_id: str, request: ConsentKeywords) -> ConsentKeywordsView:
    """Replace the business's own words (the defaults always stay); 422 for a word that would opt out and in."""
    try:
        with_business_words(request.opt_out, request.opt_in)
    except ValueError as error:
        raise ValidationFailed(
            str(error), code="invalid_keywords", details=[{"field": "opt_in", "message": str(error)}]
        ) from error
    subscribers_store.put_keywords(business_id, request.opt_out, request.opt_in, utc_now())
    return get_keywords(business_id)
