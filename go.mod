module github.com/attache-bot/attache

go 1.26.8

require (
	codeberg.org/readeck/go-readability/v2 v2.1.3
	github.com/itlightning/dateparse v0.2.1
	github.com/mattn/go-sqlite3 v1.14.32
	github.com/mmcdole/gofeed v1.4.2
	github.com/sashabaranov/go-openai v1.43.0
	golang.org/x/net v0.62.0
	golang.org/x/text v0.43.0
)

require (
	github.com/andybalholm/cascadia v1.3.3 // indirect
	github.com/go-shiori/dom v0.0.0-20230515143342-73569d674e1c // indirect
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f // indirect
	github.com/mmcdole/goxpp/v2 v2.0.0 // indirect
)
