"""The question bank (questions, versions, approval, images, search, import) and exam templates."""
