#!/bin/sh
# Demo agent for local mode and the end-to-end tests: reads the run's prompt file, makes a
# real commit on the run's branch in its worktree, pushes it and leaves its report. In a
# low-risk area it writes a note (a `docs:` commit); elsewhere a small `feat:` change, which
# a person QAs. Use it with
#   --agent custom --agent-command 'sh local-agent/examples/demo-agent.sh {promptFile}'
set -e
prompt="$1"
echo "demo agent: issue $WORKER_FACTORY_ISSUE on $WORKER_FACTORY_BRANCH"
if grep -q '(risk: low)' "$prompt"; then
  file="notes/issue-$WORKER_FACTORY_ISSUE.md"
  message="docs: notes for issue $WORKER_FACTORY_ISSUE"
else
  file="demo/issue-$WORKER_FACTORY_ISSUE.txt"
  message="feat: demo change for issue $WORKER_FACTORY_ISSUE"
fi
mkdir -p "$(dirname "$file")"
{
  echo "# Issue $WORKER_FACTORY_ISSUE ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
  echo
  sed -n '1,5p' "$prompt"
} >> "$file"
git add "$file"
git commit -q -m "$message"
git push -q -u origin HEAD 2>&1 || echo "demo agent: push failed (no origin?)"
if [ -n "$WORKER_FACTORY_REPORT_FILE" ]; then
  cat > "$WORKER_FACTORY_REPORT_FILE" <<REPORT
## Summary
Demo change for issue $WORKER_FACTORY_ISSUE: wrote $file.

## Testing
- none: the demo agent only writes a file (git commit and push succeeded)
REPORT
fi
