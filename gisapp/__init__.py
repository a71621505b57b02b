"""PipeAtlas Qt front end (the only package that imports Qt) and the CLI front."""
