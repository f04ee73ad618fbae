package registry

import (
	"context"
	"fmt"
)

// DeleteSubject soft-deletes every live version of subject, or, with
// permanent, removes every version (all must be soft-deleted first) and the
// subject's config and mode. It returns the versions deleted.
//
// Kinds: SubjectNotFound, SubjectSoftDeleted, SubjectNotSoftDeleted,
// ReferenceExists, OperationNotPermitted.
func (s *Schemas) DeleteSubject(ctx context.Context, subject Subject, permanent bool) ([]Version, error) {
	const op = "registry.Schemas.DeleteSubject"
	var out []Version
	err := s.update(ctx, op, func(tx Tx) error {
		out = nil
		if _, err := checkWritable(tx, subject); err != nil {
			return err
		}
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return subjectNotFound(subject)
		}
		if permanent {
			if len(live(vs)) > 0 {
				return &Error{Kind: SubjectNotSoftDeleted, Subject: subject, Message: fmt.Sprintf(
					"Subject '%s' was not deleted first before being permanently deleted", subject)}
			}
		} else if len(live(vs)) == 0 {
			return &Error{Kind: SubjectSoftDeleted, Subject: subject, Message: fmt.Sprintf(
				"Subject '%s' was soft deleted.Set permanent=true to delete permanently", subject)}
		}
		for _, v := range vs {
			if !permanent && v.Deleted {
				continue
			}
			if err := checkUnreferenced(tx, subject, v.Version, permanent); err != nil {
				return err
			}
		}
		for i := len(vs) - 1; i >= 0; i-- {
			v := vs[i]
			if permanent {
				err = tx.DeleteVersion(subject, v.Version)
			} else if !v.Deleted {
				err = tx.SetVersionDeleted(subject, v.Version, true)
			} else {
				continue
			}
			if err != nil {
				return err
			}
			out = append([]Version{v.Version}, out...)
		}
		if permanent {
			return dropSubjectSettings(tx, subject)
		}
		return nil
	})
	if err == nil {
		s.invalidateSubject(subject)
		if permanent {
			s.invalidateIDs()
		}
	}
	return out, err
}

// DeleteVersion soft-deletes version v of subject (latest: the newest live
// one), or with permanent removes an already soft-deleted version. When
// the last version goes, the subject's config and mode go too.
//
// Kinds: SubjectNotFound, VersionNotFound, VersionSoftDeleted,
// VersionNotSoftDeleted, ReferenceExists, OperationNotPermitted.
func (s *Schemas) DeleteVersion(ctx context.Context, subject Subject, v Version, permanent bool) (Version, error) {
	const op = "registry.Schemas.DeleteVersion"
	var out Version
	err := s.update(ctx, op, func(tx Tx) error {
		if _, err := checkWritable(tx, subject); err != nil {
			return err
		}
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return subjectNotFound(subject)
		}
		sv, ok := find(vs, v)
		if !ok {
			return versionNotFound(subject, v)
		}
		switch {
		case permanent && !sv.Deleted:
			return &Error{Kind: VersionNotSoftDeleted, Subject: subject, Version: sv.Version, Message: fmt.Sprintf(
				"Subject '%s' Version %d was not deleted first before being permanently deleted", subject, sv.Version)}
		case !permanent && sv.Deleted:
			return &Error{Kind: VersionSoftDeleted, Subject: subject, Version: sv.Version, Message: fmt.Sprintf(
				"Subject '%s' Version %d was soft deleted.Set permanent=true to delete permanently", subject, sv.Version)}
		}
		if err := checkUnreferenced(tx, subject, sv.Version, permanent); err != nil {
			return err
		}
		out = sv.Version
		if !permanent {
			return tx.SetVersionDeleted(subject, sv.Version, true)
		}
		if err := tx.DeleteVersion(subject, sv.Version); err != nil {
			return err
		}
		if len(vs) == 1 {
			return dropSubjectSettings(tx, subject)
		}
		return nil
	})
	if err == nil {
		s.invalidateSubject(subject)
		if permanent {
			s.invalidateIDs()
		}
	}
	return out, err
}

// checkUnreferenced refuses to delete a version other schemas use: live
// referrers block a soft delete, any referrer blocks a permanent one.
func checkUnreferenced(tx Tx, subject Subject, v Version, permanent bool) error {
	refs, err := tx.Referrers(subject, v)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if permanent || !r.Deleted {
			return &Error{Kind: ReferenceExists, Subject: subject, Version: v, Message: fmt.Sprintf(
				"One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%d}.", subject, v)}
		}
	}
	return nil
}

// dropSubjectSettings removes a subject's config and mode, if any.
func dropSubjectSettings(tx Tx, subject Subject) error {
	if err := tx.DeleteConfig(subject); err != nil && !notFound(err) {
		return err
	}
	if err := tx.DeleteMode(subject); err != nil && !notFound(err) {
		return err
	}
	return nil
}
