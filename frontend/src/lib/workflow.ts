/**
 * The referral lifecycle, as backend/referrals/enums.py STATUS_TRANSITIONS declares it
 * (tests/pwa/test_workflow_mirror.py keeps workflow.json equal to it): the app offers only
 * the moves the server would accept.
 */
import type { Status } from './api/referrals';
import transitions from './workflow.json';

const TABLE = transitions as Record<Status, Status[]>;

export function nextStatuses(from: Status): Status[] {
  return TABLE[from];
}

export function canMove(from: Status, to: Status): boolean {
  return TABLE[from].includes(to);
}
