package webhook

import (
	"container/list"
	"sync"
)

// deliveries remembers the most recent delivery IDs (a bounded LRU), so a
// delivery GitHub sends again is answered without a second job.
type deliveries struct {
	mu    sync.Mutex
	limit int
	order *list.List // front = most recent; values are IDs
	index map[string]*list.Element
}

func newDeliveries(limit int) *deliveries {
	return &deliveries{limit: limit, order: list.New(), index: make(map[string]*list.Element)}
}

// remember records id and reports whether it had been seen before. Checking
// and recording are one step, so two concurrent copies of a delivery cannot
// both pass.
func (d *deliveries) remember(id string) (seen bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.index[id]; ok {
		d.order.MoveToFront(e)
		return true
	}
	d.index[id] = d.order.PushFront(id)
	for d.order.Len() > d.limit {
		oldest := d.order.Back()
		d.order.Remove(oldest)
		delete(d.index, oldest.Value.(string))
	}
	return false
}

// forget drops id, so a delivery that was refused (503) can be redelivered.
func (d *deliveries) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.index[id]; ok {
		d.order.Remove(e)
		delete(d.index, id)
	}
}
