// A window keeps receiving events while the renderer changes pages inside its document,
// and stops when it loads another document or closes. Electron cannot run here, so each
// window is an EventEmitter with WebContents' events, fed the navigation details Electron sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Subscriptions, type NavigationDetails } from '../../../src-main/electron/subscriptions';
import { IPC_CHANNEL, type ServerMessage } from '../../../src-shared/rpc';

class FakeContents extends EventEmitter {
  received: unknown[] = [];
  destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: string, message: ServerMessage) {
    assert.equal(channel, IPC_CHANNEL);
    this.received.push(message);
  }
  navigate(details: NavigationDetails) {
    this.emit('did-start-navigation', details);
  }
}

const event = (n: number): ServerMessage => ({
  kind: 'event',
  name: 'labels.changed',
  payload: { editId: n, canUndo: true, canRedo: false },
});

test('events still arrive after the renderer changes pages (same-document navigations)', () => {
  const subs = new Subscriptions(IPC_CHANNEL);
  const win = new FakeContents();
  subs.add(win);
  subs.send(event(1));
  win.navigate({ isSameDocument: true, isMainFrame: true }); // #/runs -> #/dataset
  win.navigate({ isSameDocument: false, isMainFrame: false }); // a frame inside the page
  subs.send(event(2));
  assert.equal(win.received.length, 2);
});

test('a window that loads a new document or closes stops receiving; its next message subscribes it again', () => {
  const subs = new Subscriptions(IPC_CHANNEL);
  const win = new FakeContents();
  const other = new FakeContents();
  subs.add(win);
  subs.add(win); // every message of a subscribed window is a no-op here
  subs.add(other);
  win.navigate({ isSameDocument: false, isMainFrame: true }); // reload
  subs.send(event(1));
  assert.equal(win.received.length, 0);
  assert.equal(other.received.length, 1);
  assert.equal(win.listenerCount('did-start-navigation'), 0, 'no listener left behind');
  subs.add(win);
  other.emit('destroyed');
  subs.send(event(2));
  assert.equal(win.received.length, 1);
  assert.equal(other.received.length, 1);
  assert.equal(subs.size, 1);
});
