// Package text is Attache's text analysis, pure functions with no store
// behind them: folding and tokenising as the full-text index does (with
// the character pairs of Chinese, Japanese and Korean), stopwords, the
// Porter stemmer, sentences, paragraphs and passages, language detection,
// and reading people's titles from news text. The stores index and search
// through it, and ingestion and answering read text with it, so that all
// of them see the same words.
package text
