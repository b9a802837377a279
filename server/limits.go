package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters hold one token bucket per token, user or client address.
type limiters struct {
	mu          sync.Mutex
	r, anonR    rate.Limit
	burst       int
	anonBurst   int
	m           map[string]*entry
	lastCleanup time.Time
}

type entry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiters(r rate.Limit, burst int, anonR rate.Limit, anonBurst int) *limiters {
	return &limiters{r: r, burst: burst, anonR: anonR, anonBurst: anonBurst, m: map[string]*entry{}, lastCleanup: time.Now()}
}

// maxLimiters bounds the table; idle entries are dropped first.
const maxLimiters = 100000

func (l *limiters) allow(key string, anonymous bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.lastCleanup) > time.Minute {
		for k, e := range l.m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(l.m, k)
			}
		}
		l.lastCleanup = now
	}
	if len(l.m) >= maxLimiters {
		// Full of live entries (a flood from many addresses): drop a
		// tenth at once rather than scanning the table on every request.
		for k := range l.m {
			delete(l.m, k)
			if len(l.m) < maxLimiters*9/10 {
				break
			}
		}
	}
	e := l.m[key]
	if e == nil {
		r, b := l.r, l.burst
		if anonymous {
			r, b = l.anonR, l.anonBurst
		}
		e = &entry{l: rate.NewLimiter(r, b)}
		l.m[key] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}
