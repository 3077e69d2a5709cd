package bot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Metrics are the bot's Prometheus metrics, on their own registry.
type Metrics struct {
	Registry     *prometheus.Registry
	interactions *prometheus.CounterVec
	ackLatency   prometheus.Histogram
	duration     *prometheus.HistogramVec
	edits        prometheus.Counter
	llmLatency   prometheus.Histogram
	llmTokens    *prometheus.CounterVec
	llmErrors    *prometheus.CounterVec
	retrieval    prometheus.Histogram
}

// NewMetrics registers the metrics on reg (a new registry when nil).
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		Registry: reg,
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attache_interactions_total",
			Help: "Commands and mentions handled, by command and outcome."}, []string{"command", "outcome"}),
		ackLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "attache_ack_latency_seconds",
			Help: "Time from receiving an interaction to acknowledging it.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3}}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "attache_command_duration_seconds",
			Help: "Time to answer a command.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 14)}, []string{"command"}),
		edits: prometheus.NewCounter(prometheus.CounterOpts{Name: "attache_progress_edits_total", Help: "Edits showing an answer as it streams."}),
		llmLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "attache_llm_latency_seconds",
			Help: "Duration of LLM calls.", Buckets: prometheus.ExponentialBuckets(0.1, 2, 10)}),
		llmTokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attache_llm_tokens_total",
			Help: "LLM tokens used, by kind (prompt, completion, and the completion's reasoning)."}, []string{"kind"}),
		llmErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "attache_llm_errors_total",
			Help: "LLM calls that failed, by kind (unauthorized, model_not_found, unreachable, rate_limited, context_length, timeout, cut_off, empty, other)."}, []string{"kind"}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "attache_search_latency_seconds",
			Help: "Duration of retrieval for a question.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 12)}),
	}
	reg.MustRegister(m.interactions, m.ackLatency, m.duration, m.edits, m.llmLatency, m.llmTokens, m.llmErrors, m.retrieval)
	return m
}

func (m *Metrics) interaction(command, outcome string) {
	m.interactions.WithLabelValues(command, outcome).Inc()
}
func (m *Metrics) ack(d time.Duration) { m.ackLatency.Observe(d.Seconds()) }
func (m *Metrics) command(c string, d time.Duration) {
	m.duration.WithLabelValues(c).Observe(d.Seconds())
}
func (m *Metrics) edit() { m.edits.Inc() }

// ObserveLLM records one LLM call; pass it to answer.Service.OnLLM.
func (m *Metrics) ObserveLLM(d time.Duration, u answer.Usage, err error) {
	m.llmLatency.Observe(d.Seconds())
	m.llmTokens.WithLabelValues("prompt").Add(float64(u.PromptTokens))
	m.llmTokens.WithLabelValues("completion").Add(float64(u.CompletionTokens))
	m.llmTokens.WithLabelValues("reasoning").Add(float64(u.ReasoningTokens))
	if err != nil {
		m.llmErrors.WithLabelValues(answer.ErrorKind(err)).Inc()
	}
}

// ObserveRetrieval records one retrieval; pass it to answer.Service.OnRetrieve.
func (m *Metrics) ObserveRetrieval(d time.Duration) { m.retrieval.Observe(d.Seconds()) }

// Pinger checks that the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// OpsServer serves /healthz (gateway connected and database readable) and
// /metrics.
func OpsServer(addr string, b *Bot, db Pinger, m *Metrics, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var problems []error
		if b != nil && !b.Connected() {
			problems = append(problems, errors.New("gateway not connected"))
		}
		if err := db.Ping(ctx); err != nil {
			problems = append(problems, errors.New("database not readable"))
			log.Error("health: database", "err", err)
		}
		if len(problems) > 0 {
			http.Error(w, errors.Join(problems...).Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// ListenOps starts the ops server in the background and returns its address.
func ListenOps(srv *http.Server, log *slog.Logger) (string, error) {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return "", err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops server", "err", err)
		}
	}()
	return ln.Addr().String(), nil
}
