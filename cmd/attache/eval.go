package main

import (
	"context"
	"flag"
	"path/filepath"

	"github.com/attache-bot/attache/knowledge/answer"
)

// runEval ingests the sample corpus into a temporary database and scores
// the answerer on the evaluation set.
func (m *Main) runEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	corpus := fs.String("corpus", "sample", "the corpus to ingest")
	set := fs.String("set", filepath.Join("eval", "questions.json"), "the evaluation set")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cases, err := answer.LoadEval(*set)
	if err != nil {
		return usagef("eval: %v", err)
	}
	db, err := m.tempCorpus(ctx, "eval", *corpus)
	if err != nil {
		return err
	}
	svc := m.newAnswerer(db)
	rep, err := answer.RunEval(ctx, svc, cases)
	if err != nil {
		return err
	}
	rep.Print(m.Stdout)
	return nil
}
