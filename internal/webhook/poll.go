package webhook

import (
	"context"
	"time"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// eventPoll is the Event of a job a poll queued.
const eventPoll = "poll"

// poll looks at the upstream through Options.Watch every PollInterval,
// starting at once (a run catches up with what moved while hashbot was
// down), and queues a run when what it sees differs from what the last
// queued run was for. A failed look is logged and tried at the next tick.
// It returns when ctx is done or the queue stops taking jobs.
func (s *Server) poll(ctx context.Context) {
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	log := s.opts.Log.With().Str(logfield.Event, eventPoll).Logger()
	for {
		w, err := s.opts.Watch.Watch(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn().Str(logfield.Error, s.queue.clean(err.Error())).Msg("looking at the upstream failed; trying again at the next poll")
			s.stats.poll("failed")
		default:
			s.mu.Lock()
			moved := w.State != s.watched
			if moved {
				s.watched = w.State
			}
			s.mu.Unlock()
			if !moved {
				s.stats.poll("unchanged")
			}
			if moved {
				d, _ := s.queue.offer(Job{Version: w.Version, Event: eventPoll, Received: s.opts.Clock()})
				log.Info().Str(logfield.Version, w.Version).Str("decision", string(d)).Msg("the upstream moved")
				s.stats.poll("queued")
				if d == decClosed {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
