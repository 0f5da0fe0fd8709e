"""What a capteur puts up: the QR code (SVG, PNG), the A4 poster and the A6 sticker sheet.

Pure rendering: every function takes plain values (a `PrintContent`, a `QrMatrix`) and returns
bytes. No database access and no permission check: callers fetch the code through the
territory-scoped selector and refuse revoked codes before asking for a print.

Modules: `content` (the printed values and their ETag), `qr` (the symbol as SVG, PNG and PDF
drawing), `text` (fonts and hand-set French text), `layout` (what both PDFs share), `poster`
and `stickers`. Callers import from the module that does the job; nothing is re-exported here.
"""
