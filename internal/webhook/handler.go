package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// serveWebhook answers POST /webhook. The order of the checks matters: a
// delivery without a well-formed signature header is refused before any of
// its body is read; a signed one is read only with a free body slot
// (MaxBodiesInFlight), under the size cap, into the HMAC as it comes; and
// nothing of it is parsed before the signature holds.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	log := s.opts.Log.With().Str(logfield.Delivery, short(delivery)).Str(logfield.Event, short(event)).Logger()
	answer := func(code int, result string, rep reply) {
		s.stats.delivery(result)
		rep.Delivery = delivery
		ev := log.Info()
		if code >= 400 {
			ev = log.Warn()
		}
		ev = ev.Int("code", code).Str("result", result).Str(logfield.Remote, r.RemoteAddr)
		if rep.PullRequest > 0 {
			ev = ev.Int(logfield.PR, rep.PullRequest)
		}
		for k, v := range map[string]string{logfield.Version: rep.Version, "reason": rep.Reason, "error": rep.Error} {
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
	want, err := parseSignature(r.Header.Get(signatureHeader))
	if err != nil {
		w.Header().Set("Connection", "close") // the body stays unread
		answer(http.StatusUnauthorized, "unauthorized", reply{Error: err.Error()})
		return
	}
	// A burst (several tags pushed at once) waits for a slot a little:
	// GitHub does not redeliver a failed delivery by itself.
	wait := time.NewTimer(s.opts.BodySlotWait)
	defer wait.Stop()
	select {
	case s.bodies <- struct{}{}:
		defer func() { <-s.bodies }()
	case <-r.Context().Done():
		return
	case <-wait.C:
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "10")
		answer(http.StatusServiceUnavailable, "busy", reply{Error: "too many deliveries being read at once; try again"})
		return
	}
	sb := newSignedBody(s.opts.Secret, want)
	body, code, err := s.readBody(w, r, sb)
	if err != nil {
		result := "bad_request"
		if code == http.StatusRequestEntityTooLarge {
			result = "too_large"
		}
		answer(code, result, reply{Error: err.Error()})
		return
	}
	if err := sb.verify(); err != nil {
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

// readBody reads the body under the size cap, writing it to mac as it
// comes. On failure it returns the status code to answer with.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, mac io.Writer) ([]byte, int, error) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, http.StatusRequestEntityTooLarge,
			fmt.Errorf("body of %d bytes is over the %d-byte limit", r.ContentLength, limit)
	}
	// A body of known length is read into a buffer of that size: growing
	// one as it comes would hold twice the body at times.
	buf := bytes.NewBuffer(make([]byte, 0, max(min(r.ContentLength, limit), 0)))
	_, err := io.Copy(buf, io.TeeReader(http.MaxBytesReader(w, r.Body, limit), mac))
	body := buf.Bytes()
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
	job := Job{Version: m.Version, Tag: m.Tag, PullRequest: m.PullRequest, BaseMoved: m.BaseMoved, Event: event, DeliveryID: delivery, Received: s.opts.Clock()}
	d, dropped := s.queue.offer(job)
	rep := reply{Status: string(d), Version: job.Version, PullRequest: job.PullRequest, BaseMoved: job.BaseMoved}
	switch d {
	case decClosed:
		return http.StatusServiceUnavailable, reply{Status: "unavailable", Version: job.Version, PullRequest: job.PullRequest,
			Error: "shutting down: not accepting new runs"}
	case decFull:
		return http.StatusServiceUnavailable, reply{Status: "busy", PullRequest: job.PullRequest,
			Error: fmt.Sprintf("%d pull requests wait to be fixed already; redeliver later", maxWaitingFixes)}
	case decStarted, decQueued:
		rep.Status = "queued"
	case decHeld:
		rep.Status, rep.Reason = "queued", "a newer version is running or waiting: this one runs only if that run fails"
	case decCoalesced:
		rep.Reason = "the same version is already running or waiting"
		switch {
		case job.BaseMoved:
			rep.Reason = "a refresh of the pull requests is waiting already: it reads the newest base"
		case job.isFix():
			rep.Reason = "a fix of this pull request is waiting already: it reads the newest head"
		}
	case decSuperseded:
		rep.Reason = fmt.Sprintf("%d newer versions are waiting already", maxWaiting)
	}
	if dropped != nil {
		log.Info().Str(logfield.Version, job.Version).Str("dropped", dropped.Version).Msg("the waiting list is full: dropping its oldest version")
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
