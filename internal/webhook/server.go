package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// Server receives GitHub webhook deliveries and queues runs. Create it with
// New; serve it with Serve or ListenAndServe, or mount Handler yourself.
type Server struct {
	opts   Options
	seen   *deliveries
	queue  *queue
	stats  *counters
	bodies chan struct{} // a slot per body being read (MaxBodiesInFlight)

	mu   sync.Mutex
	http *http.Server // set while Serve runs
	// watched is the upstream's state as the last poll queued it; "" makes
	// the next poll queue a run whatever it sees.
	watched string
}

// runFailed forgets the deliveries of a job whose run failed, and makes
// the next poll queue a run again.
func (s *Server) runFailed(job Job) {
	for _, id := range append([]string{job.DeliveryID}, job.coalesced...) {
		if id != "" {
			s.seen.forget(id)
		}
	}
	if job.Event == eventPoll {
		s.mu.Lock()
		s.watched = ""
		s.mu.Unlock()
	}
}

// New checks opts and returns a Server. It returns ErrNoSecret when
// opts.Secret is empty and an error naming the field for other bad options.
// New starts no goroutines.
func New(opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	secret := append([]byte(nil), opts.Secret...)
	opts.Secret = secret
	userRedact := opts.Redact
	redact := func(s string) string {
		s = string(bytes.ReplaceAll([]byte(s), secret, []byte("[redacted]")))
		if userRedact != nil {
			s = userRedact(s)
		}
		return s
	}
	s := &Server{
		opts:   opts,
		seen:   newDeliveries(opts.DedupSize),
		stats:  newCounters(),
		bodies: make(chan struct{}, opts.MaxBodiesInFlight),
	}
	s.queue = newQueue(opts.Runner, opts.Clock, redact, s.runFailed, opts.Log)
	return s, nil
}

// Handler returns the server's routes: POST /webhook, GET /healthz and
// GET /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/webhook", s.serveWebhook)
	mux.HandleFunc("/healthz", s.serveHealth)
	mux.HandleFunc("/metrics", s.serveMetrics)
	return mux
}

// reply is the JSON body of every /webhook answer.
type reply struct {
	Status  string `json:"status,omitempty"` // pong, queued, coalesced, superseded, ignored, duplicate, busy, unavailable
	Version string `json:"version,omitempty"`
	// PullRequest is the pull request a pull_request delivery queued a
	// fix of.
	PullRequest int `json:"pull_request,omitempty"`
	// BaseMoved: a push to the base branch queued a refresh of the pull
	// requests hashbot fixed.
	BaseMoved bool   `json:"base_moved,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Delivery  string `json:"delivery,omitempty"`
	Error     string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// allow answers 405 unless r's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, reply{Error: "method " + r.Method + " not allowed"})
	return false
}
