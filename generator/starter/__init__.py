"""`newsdigest init`: the files of a new site, which `newsdigest build` turns into a site at
once. The files live beside this module (package data), so what `init` writes is what the
docs show."""
