package avrocompat

import "strconv"

// checkUnionBranches handles a reader union and a writer union
// (MISSING_UNION_BRANCH): each writer branch must be readable by the reader
// union. As in Avro, the path ends with the writer branch's index and the
// reasons a branch is unreadable are not reported.
func (w *walker) checkUnionBranches(r, wr *node) []issue {
	var out []issue
	for i, b := range wr.branches {
		if len(w.compat(r, b)) > 0 {
			out = append(out, issue{
				rule: ruleMissingUnionBranch,
				path: "/" + strconv.Itoa(i),
				info: "reader union lacking writer type: " + b.kind.upper(),
			})
		}
	}
	return out
}

// checkReaderUnion handles a reader union and a writer that is not a union
// (MISSING_UNION_BRANCH): some reader branch must read the writer type.
func (w *walker) checkReaderUnion(r, wr *node) []issue {
	for _, b := range r.branches {
		if len(w.compat(b, wr)) == 0 {
			return nil
		}
	}
	return []issue{{rule: ruleMissingUnionBranch, info: "reader union lacking writer type: " + wr.kind.upper()}}
}
