"""`newsdigest import`: raw scraped news (text, HTML, JSON Lines) into clean articles.

Depends only on generator.frontmatter, generator.errors and generator.urls; the build never
imports this package.
"""
