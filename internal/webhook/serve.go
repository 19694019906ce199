package webhook

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// ErrRunnerStuck is returned by Shutdown when the running job did not
// return within CancelGrace after its context was cancelled.
var ErrRunnerStuck = errors.New("the running job did not stop after it was cancelled")

// ListenAndServe listens on addr (e.g. "127.0.0.1:8080") and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listening for webhooks on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves the Handler on ln until ctx is cancelled, then shuts down
// gracefully: the running job gets ShutdownTimeout to finish before it is
// cancelled. It returns nil after a clean shutdown and ErrRunnerStuck when
// the cancelled job did not return. If serving fails (the listener breaks),
// it cancels the running job at once and returns the error.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          stdlog.New(s.opts.Log.With().Str("component", "http").Logger(), "", 0),
	}
	s.mu.Lock()
	s.http = hs
	s.mu.Unlock()
	s.opts.Log.Info().Str("addr", ln.Addr().String()).Msg("serving webhooks")

	served := make(chan error, 1)
	go func() { served <- hs.Serve(netutil.LimitListener(ln, s.opts.MaxConnections)) }()
	if s.opts.Watch != nil {
		pollCtx, stopPolling := context.WithCancel(ctx)
		defer stopPolling()
		go s.poll(pollCtx)
	}
	select {
	case err := <-served:
		// The process is about to exit with this error: cancel the running
		// job now, so that its Nix builds are not left behind.
		now, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cancel()
		if serr := s.Shutdown(now); serr != nil {
			s.opts.Log.Error().Err(serr).Msg("stopping the running job")
		}
		return fmt.Errorf("serving webhooks on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	err := s.Shutdown(sctx)
	<-served // http.ErrServerClosed once Shutdown has closed the listener
	return err
}

// Shutdown stops accepting deliveries (new ones get 503), drops the waiting
// jobs, stops the HTTP server if Serve runs it, and waits for the running job
// until ctx is done. Then it cancels the job's context and waits up to
// CancelGrace for the Runner to return, returning ErrRunnerStuck if it does
// not. A job cancelled this way is not an error of Shutdown.
func (s *Server) Shutdown(ctx context.Context) error {
	dropped, idle := s.queue.close()
	for _, j := range dropped {
		s.opts.Log.Warn().Str(logfield.Version, j.Version).Int(logfield.PR, j.PullRequest).Str(logfield.Delivery, j.DeliveryID).
			Msg("shutting down: dropping the waiting run")
	}
	s.mu.Lock()
	hs := s.http
	s.mu.Unlock()
	if hs != nil {
		if err := hs.Shutdown(ctx); err != nil {
			// Connections still open at the deadline are cut; that is what
			// the deadline is for, not a failure of the shutdown.
			s.opts.Log.Warn().Err(err).Msg("closing webhook connections still open at the shutdown deadline")
			_ = hs.Close()
		}
	}
	select {
	case <-idle:
		return nil
	default: // ctx may be done already: nothing running means nothing to cancel
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	s.opts.Log.Warn().Msg("shutdown timeout reached: cancelling the running job")
	s.queue.abort()
	grace := time.NewTimer(s.opts.CancelGrace)
	defer grace.Stop()
	select {
	case <-idle:
		return nil
	case <-grace.C:
		return ErrRunnerStuck
	}
}
