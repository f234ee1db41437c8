"""`newsdigest import`: raw scraped news (text, HTML, JSON Lines) into clean articles.

Depends only on generator.core.frontmatter, generator.core.errors and generator.core.urls; the build never
imports this package.
"""
