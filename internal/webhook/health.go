package webhook

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// health is the JSON body of GET /healthz.
type health struct {
	Status string `json:"status"` // "ok", or "shutting-down"
	queueState
}

// serveHealth answers GET /healthz with the queue and the last run.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	st, _ := s.queue.state()
	h := health{Status: "ok", queueState: st}
	if !st.Accepting {
		h.Status = "shutting-down"
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, h)
}

// counters counts deliveries and polls by result for GET /metrics.
type counters struct {
	mu         sync.Mutex
	deliveries map[string]uint64
	polls      map[string]uint64
}

func newCounters() *counters {
	return &counters{deliveries: make(map[string]uint64), polls: make(map[string]uint64)}
}

func (c *counters) delivery(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deliveries[result]++
}

func (c *counters) poll(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.polls[result]++
}

// snapshot copies the delivery and poll counts.
func (c *counters) snapshot() (deliveries, polls map[string]uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.deliveries), maps.Clone(c.polls)
}

// serveMetrics answers GET /metrics in the Prometheus text format.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	st, runs := s.queue.state()
	deliveries, polls := s.stats.snapshot()
	var b strings.Builder
	counter(&b, "hashbot_webhook_deliveries_total", "Webhook deliveries by result.", "result", deliveries)
	counter(&b, "hashbot_webhook_polls_total", "Looks at the upstream (serve --poll) by result.", "result", polls)
	counter(&b, "hashbot_webhook_runs_total", "Finished runs by result.", "result", runs)
	gauge(&b, "hashbot_webhook_running", "1 while a run is in progress.", st.Running != nil)
	gauge(&b, "hashbot_webhook_waiting", "1 while a run (a version or a fix) waits for the running one.", st.Waiting != nil || len(st.Fixes) > 0)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = fmt.Fprint(w, b.String())
}

func counter(b *strings.Builder, name, help, label string, values map[string]uint64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s{%s=%q} %d\n", name, label, k, values[k])
	}
}

func gauge(b *strings.Builder, name, help string, on bool) {
	v := 0
	if on {
		v = 1
	}
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
}
