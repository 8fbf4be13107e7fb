"""Check: SOURCE read back, and every check an episode passes before it has rows (the first stage).

    source.py       SOURCE as the upload laid it out, read through the upload's stores
    reasons.py      why an episode is left out, in the order the checks run
    revocations.py  a revocation record beside an episode, judged with its signer's key
    expiry.py       when an episode's signed retain_until has passed
    trust.py        --trust: the signers a build accepts
    issuers.py      --trust-issuer, --min-contributors: unlinkable episodes, and the months held back
    licences.py     the licence an episode was signed under; --allow-licence
    origins.py      --origin, --origin-share: episodes by whose work they are
"""
