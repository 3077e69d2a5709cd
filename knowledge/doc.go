// Package knowledge is Attache's domain: articles and their passages,
// people and their roles, feeds, digest subscriptions, search hits, the
// coded errors of storing them, and the store contract (Store and the
// interfaces it is made of) that each store implements — knowledge/sqlite,
// the embedded default. Text analysis lives in knowledge/text; ingestion,
// answering and digests in the packages beneath.
package knowledge
