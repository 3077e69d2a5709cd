// Package sqlite is Attache's embedded store, the default: one SQLite file
// in WAL mode with a single writer and a pool of readers, passages in an
// FTS5 index (porter, unicode61, diacritics folded; Chinese, Japanese and
// Korean as character pairs), people and their roles, feeds, digest
// subscriptions and follow-up exchanges, with embedded migrations. It
// implements knowledge.Store.
package sqlite
