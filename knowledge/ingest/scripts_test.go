package ingest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
)

// An article in each script is stored, and found by a word from the middle
// of its text, written as a reader would type it.
func TestEveryScriptIsStoredAndFound(t *testing.T) {
	cases := []struct {
		lang, title, body, word string
	}{
		{"zh", "外交部就双边磋商举行发布会",
			"中国外交部发言人周四在例行记者会上表示，双方将于下周在北京举行新一轮磋商，讨论贸易、投资和地区安全问题。发言人说，中方愿与各方保持沟通，推动政治解决，并希望有关国家为会谈创造良好氛围。",
			"地区安全"},
		{"ja", "日韓外相が東京で会談",
			"日本の外務大臣は木曜日、東京で韓国の外相と会談し、両国の関係改善に向けた協力を確認した。会談は約二時間に及び、経済安全保障や北朝鮮問題についても意見を交わした。両外相は年内に再び会うことで一致した。",
			"関係改善"},
		{"ko", "외교부, 일본과 외교장관 회담",
			"외교부는 목요일 서울에서 일본 외무상과 외교장관 회담을 열고 양국 관계 개선을 위한 협력 방안을 논의했다고 밝혔다. 양측은 경제 안보와 북한 문제에 대해서도 의견을 교환했으며 연내 다시 만나기로 합의했다.",
			"외무상"},
		{"ar", "محادثات في مسقط",
			"قال وزير الخارجية يوم الخميس إن المحادثات مع الوفد الإيراني في مسقط كانت بناءة ومفيدة، وإن جولة جديدة من المفاوضات ستعقد الأسبوع المقبل لبحث القضايا العالقة بين البلدين.",
			"المفاوضات"},
		{"ru", "Переговоры в Женеве",
			"Министр иностранных дел заявил в четверг, что переговоры с делегацией в Женеве были конструктивными и продолжатся на следующей неделе, когда стороны обсудят оставшиеся разногласия.",
			"делегацией"},
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "scripts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, c := range cases {
		enc.Encode(map[string]string{"url": "https://wire.example/" + c.lang, "title": c.title, "body": c.body, "published": "2025-04-16"})
	}
	f.Close()
	db := mustOpenDB(t)
	sum, err := (&ingest.Ingester{Store: db}).Ingest(context.Background(), dir)
	if err != nil || sum.Added != len(cases) {
		t.Fatalf("got %s, %v: %v", sum, err, sum.Problems)
	}
	for _, c := range cases {
		hits, err := db.Search(context.Background(), c.word, knowledge.SearchOptions{})
		if err != nil || len(hits) == 0 || hits[0].Article.URL != "https://wire.example/"+c.lang {
			t.Errorf("%s: search %q: %d hits, %v", c.lang, c.word, len(hits), err)
		}
	}
}
