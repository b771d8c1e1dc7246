"""Study mode: outlines and suggested questions per document, scoped questions, quiz cards and their schedule."""
