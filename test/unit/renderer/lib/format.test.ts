import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAgo, formatCount, formatDuration, formatRate } from '../../../../src-renderer/lib/format';

describe('renderer formatting', () => {
  it('writes durations a person reads at a glance', () => {
    assert.equal(formatDuration(null), '—');
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), '—');
    assert.equal(formatDuration(9.6), '10 s');
    assert.equal(formatDuration(80), '1 min 20 s');
    assert.equal(formatDuration(3 * 3600 + 5 * 60), '3 h 5 min');
  });

  it('groups counts and rounds rates', () => {
    assert.equal(formatCount(100_000), '100,000');
    assert.equal(formatRate(3.14159), '3.1');
    assert.equal(formatRate(312.7), '313');
  });

  it('says when an edit happened', () => {
    const now = new Date(2025, 4, 6, 15, 30).getTime();
    assert.equal(formatAgo(now - 10_000, now), 'just now');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.match(formatAgo(now - 3 * 3600_000, now), /^\d{2}:\d{2}/);
    assert.match(formatAgo(now - 3 * 86400_000, now), /2025/);
  });
});
