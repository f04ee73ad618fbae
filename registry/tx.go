package registry

import (
	"context"
	"errors"
	"time"
)

// view runs fn in a read transaction, observing its latency and turning
// store failures into Kinds.
func (s *Schemas) view(ctx context.Context, op string, fn func(Tx) error) error {
	start := time.Now()
	err := s.store.View(ctx, fn)
	s.obs.StoreOp("view", time.Since(start), err)
	return storeError(op, err)
}

// update is view's read-write twin.
func (s *Schemas) update(ctx context.Context, op string, fn func(Tx) error) error {
	start := time.Now()
	err := s.store.Update(ctx, fn)
	s.obs.StoreOp("update", time.Since(start), err)
	return storeError(op, err)
}

// storeError passes registry errors through, marks unavailability, keeps
// ErrConflict recognisable for retries, and wraps anything else as Internal.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Op == "" {
			e.Op = op
		}
		return err
	}
	switch {
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &Error{Kind: Unavailable, Op: op, Message: "The schema store is unavailable; retry later", Err: err}
	case errors.Is(err, ErrConflict):
		return err
	}
	return &Error{Kind: Internal, Op: op, Err: err}
}

// notFound reports whether err is a store miss.
func notFound(err error) bool { return errors.Is(err, ErrNotFound) }

// live returns the versions not soft-deleted.
func live(vs []SubjectVersion) []SubjectVersion {
	out := make([]SubjectVersion, 0, len(vs))
	for _, v := range vs {
		if !v.Deleted {
			out = append(out, v)
		}
	}
	return out
}

// latest returns the highest live version, if any.
func latest(vs []SubjectVersion) (SubjectVersion, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if !vs[i].Deleted {
			return vs[i], true
		}
	}
	return SubjectVersion{}, false
}

// find returns version v of vs (VersionLatest: the highest live one).
func find(vs []SubjectVersion, v Version) (SubjectVersion, bool) {
	if v == VersionLatest {
		return latest(vs)
	}
	for _, sv := range vs {
		if sv.Version == v {
			return sv, true
		}
	}
	return SubjectVersion{}, false
}

func subjectNotFound(subject Subject) *Error {
	return &Error{Kind: SubjectNotFound, Subject: subject, Message: "Subject '" + string(subject) + "' not found."}
}

func versionNotFound(subject Subject, v Version) *Error {
	return &Error{Kind: VersionNotFound, Subject: subject, Version: v, Message: "Version " + versionText(v) + " not found."}
}

func versionText(v Version) string {
	if v == VersionLatest {
		return "latest"
	}
	return itoa(int(v))
}
