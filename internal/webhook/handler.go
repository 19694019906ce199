package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/rs/zerolog"
)

// serveWebhook answers POST /webhook. The order of the checks matters: the
// body is read under a size cap and its signature verified before any of it
// is parsed.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	log := s.opts.Log.With().Str(fieldDelivery, short(delivery)).Str(fieldEvent, short(event)).Logger()
	answer := func(code int, result string, rep reply) {
		s.stats.delivery(result)
		rep.Delivery = delivery
		ev := log.Info()
		if code >= 400 {
			ev = log.Warn()
		}
		ev = ev.Int("code", code).Str("result", result).Str("remote", r.RemoteAddr)
		for k, v := range map[string]string{fieldVersion: rep.Version, "reason": rep.Reason, "error": rep.Error} {
			if v != "" {
				ev = ev.Str(k, v)
			}
		}
		ev.Msg("webhook delivery")
		writeJSON(w, code, rep)
	}
	if !allow(w, r, http.MethodPost) {
		s.stats.delivery("method_not_allowed")
		return
	}
	body, code, err := s.readBody(w, r)
	if err != nil {
		result := "bad_request"
		if code == http.StatusRequestEntityTooLarge {
			result = "too_large"
		}
		answer(code, result, reply{Error: err.Error()})
		return
	}
	if err := verifySignature(s.opts.Secret, body, r.Header.Get(signatureHeader)); err != nil {
		answer(http.StatusUnauthorized, "unauthorized", reply{Error: err.Error()})
		return
	}
	if event == "" {
		answer(http.StatusBadRequest, "bad_request", reply{Error: "missing X-GitHub-Event header"})
		return
	}
	p, err := decodePayload(r.Header.Get("Content-Type"), body)
	if err != nil {
		answer(http.StatusBadRequest, "bad_request", reply{Error: err.Error()})
		return
	}
	if delivery != "" && s.seen.remember(delivery) {
		answer(http.StatusOK, "duplicate", reply{Status: "duplicate"})
		return
	}
	code, rep := s.dispatch(log, event, delivery, p)
	if code == http.StatusServiceUnavailable && delivery != "" {
		s.seen.forget(delivery) // let GitHub's redelivery through after a restart
	}
	answer(code, rep.Status, rep)
}

// readBody reads the body under the size cap. On failure it returns the
// status code to answer with.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Errorf("body of %d bytes is over the %d-byte limit", r.ContentLength, limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body is over the %d-byte limit", limit)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading body: %w", err)
	}
	return body, 0, nil
}

// dispatch turns a verified, decoded delivery into an answer, queueing a
// job when it announces an upstream version.
func (s *Server) dispatch(log zerolog.Logger, event, delivery string, p payload) (int, reply) {
	if event == "ping" {
		return http.StatusOK, reply{Status: "pong"}
	}
	m := s.classify(event, p)
	if m.Ignored != "" {
		return http.StatusAccepted, reply{Status: "ignored", Reason: m.Ignored}
	}
	job := Job{Version: m.Version, Tag: m.Tag, Event: event, DeliveryID: delivery, Received: s.opts.Clock()}
	d, old := s.queue.offer(job)
	rep := reply{Status: string(d), Version: job.Version}
	switch d {
	case decClosed:
		return http.StatusServiceUnavailable, reply{Status: "unavailable", Version: job.Version,
			Error: "shutting down: not accepting new runs"}
	case decStarted, decQueued:
		rep.Status = "queued"
	case decReplaced:
		rep.Status, rep.Reason = "queued", "replaced waiting version "+old.Version
		log.Info().Str(fieldVersion, job.Version).Str("replaced", old.Version).Msg("newer version replaces the waiting one")
	case decCoalesced:
		rep.Reason = "the same version is already running or waiting"
	case decSuperseded:
		rep.Reason = "a newer version is already running or waiting"
	}
	return http.StatusAccepted, rep
}

// short bounds an untrusted header value for the log.
func short(s string) string {
	const maxLen = 100
	if len(s) > maxLen {
		return s[:maxLen] + "…"
	}
	return s
}
