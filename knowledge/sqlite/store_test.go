package sqlite_test

import (
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/storetest"
)

// The SQLite store passes the store contract's conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) knowledge.Store { return knowledgetest.NewDB(tb) })
}
