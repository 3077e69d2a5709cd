package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attache-bot/attache/knowledge"
)

// SaveExchange records the question and answer behind an answer message,
// and forgets those older than ExchangeTTL.
func (db *DB) SaveExchange(ctx context.Context, messageID, question, answer string) error {
	now := db.Now()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save exchange: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO exchanges(message_id, question, answer, created) VALUES (?, ?, ?, ?)
		ON CONFLICT(message_id) DO UPDATE SET question = excluded.question, answer = excluded.answer, created = excluded.created`,
		messageID, question, answer, now.Unix()); err != nil {
		return fmt.Errorf("save exchange: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM exchanges WHERE created < ?", now.Add(-knowledge.ExchangeTTL).Unix()); err != nil {
		return fmt.Errorf("save exchange: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save exchange: %w", err)
	}
	return nil
}

// Exchange returns the question and answer behind an answer message; ok is
// false when there is none (or it is older than ExchangeTTL).
func (db *DB) Exchange(ctx context.Context, messageID string) (question, answer string, ok bool, err error) {
	err = db.read.QueryRowContext(ctx, "SELECT question, answer FROM exchanges WHERE message_id = ? AND created >= ?",
		messageID, db.Now().Add(-knowledge.ExchangeTTL).Unix()).Scan(&question, &answer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("exchange %s: %w", messageID, err)
	}
	return question, answer, true, nil
}
