// Package jobs runs queued scans in a bounded pool of workers. The queue is
// the store: a scan is accepted only once its row is committed, workers
// claim rows one at a time, and rows left running by a process that
// stopped (kill -9 included) go back to the queue when the pool starts, so
// no accepted upload is lost and none is scanned twice to completion.
package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/server/blobs"
	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
)

// Pool is a bounded pool of scan workers.
type Pool struct {
	Store store.Store
	Blobs *blobs.Dir
	// Engine returns the current judging engine.
	Engine  func() *judge.Engine
	Workers int
	// MaxAttempts fails a scan that was running when the service stopped
	// this many times (a package that brings the service down).
	MaxAttempts int
	Log         *logrus.Logger
	// OnDone, when set, is called after each scan ends.
	OnDone func(sc store.Scan, status string, elapsed time.Duration)
	// Delay holds each scan back before it starts (tests of a restart
	// mid-scan use it).
	Delay time.Duration
	// BeforeScan, when set, runs before each scan; an error it returns
	// fails the scan with that message (tests use it to make a scan fail).
	BeforeScan func(ctx context.Context, sc store.Scan) error

	wake chan struct{}
	wg   sync.WaitGroup
}

// Start puts scans left running back in the queue and starts the workers;
// they stop when ctx is done (see Wait).
func (p *Pool) Start(ctx context.Context) error {
	if p.Workers <= 0 {
		p.Workers = 1
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.Log == nil {
		p.Log = logrus.New()
		p.Log.SetOutput(io.Discard)
	}
	p.wake = make(chan struct{}, p.Workers)
	n, err := p.Store.RequeueRunning(ctx, p.MaxAttempts)
	if err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	if n > 0 {
		p.Log.WithField("scans", n).Info("resumed scans left running")
	}
	for range p.Workers {
		p.wg.Add(1)
		go p.work(ctx)
	}
	return nil
}

// Wait waits for the workers to stop.
func (p *Pool) Wait() { p.wg.Wait() }

// Notify wakes an idle worker: a scan was queued.
func (p *Pool) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// idlePoll is how often an idle worker looks at the queue without being
// notified (another process may have queued a scan).
const idlePoll = 2 * time.Second

func (p *Pool) work(ctx context.Context) {
	defer p.wg.Done()
	for ctx.Err() == nil {
		sc, ok, err := p.Store.ClaimScan(ctx, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				p.Log.WithError(err).Warn("claim scan")
			}
			sleep(ctx, time.Second)
			continue
		}
		if !ok {
			select {
			case <-ctx.Done():
			case <-p.wake:
			case <-time.After(idlePoll):
			}
			continue
		}
		p.run(ctx, sc)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (p *Pool) run(ctx context.Context, sc store.Scan) {
	start := time.Now()
	status := store.StatusDone
	defer func() {
		if r := recover(); r != nil {
			status = store.StatusFailed
			p.Log.WithField("scan", sc.ID).Errorf("scan panicked: %v", r)
			p.Store.FailScan(context.WithoutCancel(ctx), sc.ID, "internal error while scanning", time.Now())
		}
		if ctx.Err() == nil && p.OnDone != nil {
			p.OnDone(sc, status, time.Since(start))
		}
	}()
	if p.Delay > 0 {
		sleep(ctx, p.Delay)
	}
	if ctx.Err() != nil {
		return // still running in the store: resumed at the next start
	}
	if err := p.scan(ctx, sc); err != nil {
		if ctx.Err() != nil {
			return
		}
		status = store.StatusFailed
		p.Log.WithField("scan", sc.ID).WithError(err).Warn("scan failed")
		if ferr := p.Store.FailScan(ctx, sc.ID, err.Error(), time.Now()); ferr != nil {
			p.Log.WithError(ferr).Warn("record failed scan")
		}
	}
}

func (p *Pool) scan(ctx context.Context, sc store.Scan) error {
	if p.BeforeScan != nil {
		if err := p.BeforeScan(ctx, sc); err != nil {
			return err
		}
	}
	path, err := p.Blobs.Path(sc.SHA256)
	if err != nil {
		return fmt.Errorf("package file: %w", err)
	}
	e := p.Engine()
	x := e.Scanner.Extract(ctx, path)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	Rename(&x, path, sc.Filename)
	data := extractcodec.Encode(&x)
	for {
		t, j := e.Judge(&x)
		r := store.Result{Kind: t.Kind, Extract: data, Judgement: j}
		id := t.Identity
		r.AppID, r.BundleID, r.Label, r.Version = deref(id.AppID), deref(id.BundleID), deref(id.Label), deref(id.Version)
		if err := p.Store.FinishScan(ctx, sc.ID, r, time.Now()); err != nil {
			return err
		}
		// The settings changed while this scan was judged: a re-judgement
		// that started before it finished did not see it, so judge again.
		next := p.Engine()
		if next == e || next.Settings.Version == e.Settings.Version {
			return nil
		}
		e = next
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Rename replaces the blob path at the start of every path in an extract
// (and inside error messages) with the uploaded file's name, so reports
// show "app.apk!/classes.dex", not where the service keeps its files.
func Rename(x *scanner.Extract, blobPath, name string) {
	fix := func(p string) string {
		if strings.HasPrefix(p, blobPath) {
			return name + p[len(blobPath):]
		}
		return p
	}
	x.Path = fix(x.Path)
	for i := range x.Observations {
		x.Observations[i].Path = fix(x.Observations[i].Path)
	}
	for i := range x.Errors {
		x.Errors[i].Path = fix(x.Errors[i].Path)
		x.Errors[i].Error = strings.ReplaceAll(x.Errors[i].Error, blobPath, name)
	}
}
