"""Upload: signed episodes leave the machine, and only those; content-addressed, resumable, revocable.

    destinations.py   file:///DIR and s3://BUCKET/PREFIX (--to, [upload] in config.toml); the Store interface
    stores.py         opening the store behind a destination, or behind a receipt's
    file_store.py     a directory as a store (atomic files, never replaced)
    s3_store.py       S3 and compatible stores through boto3: conditional PUT, SHA-256 checksums, multipart
                      with resume, botocore's retries
    gate.py           what may leave: your signature, a statement matching the bytes, the policy, not revoked
    transfer.py       one episode to one store: idempotent, resumable, its manifest beside it, a receipt
    outbox.py         the outbox's episodes and their states; draining it, a bounded number at a time
    receipts.py       what was sent where (CODETAPE_HOME/receipts), unfinished uploads, the last run
    revocation.py     a signed revocation record, written at every destination a receipt names
    members.py        k members before the bytes leave: unlinkable episodes wait for the issuer's count
    pushed_since.py   work pushed after signing holds an unlinkable episode; what is kept for the check
    asked.py          what is held (collector/held.py), and the contributor's answer: send anyway, withdraw
    errors.py         the upload error tree
"""
