#!/bin/sh
# Demo agent for local mode and the end-to-end tests: reads the run's prompt file, makes a
# real commit on the run's branch in its worktree, and pushes it. Use it with
#   --agent custom --agent-command 'sh local-agent/examples/demo-agent.sh {promptFile}'
set -e
prompt="$1"
echo "demo agent: issue $WORKER_FACTORY_ISSUE on $WORKER_FACTORY_BRANCH"
mkdir -p notes
{
  echo "# Issue $WORKER_FACTORY_ISSUE"
  echo
  sed -n '1,5p' "$prompt"
} > "notes/issue-$WORKER_FACTORY_ISSUE.md"
git add "notes/issue-$WORKER_FACTORY_ISSUE.md"
git commit -q -m "docs: notes for issue $WORKER_FACTORY_ISSUE"
git push -q -u origin HEAD 2>&1 || echo "demo agent: push failed (no origin?)"
