import { act } from '@testing-library/react';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { useReloadOnEvents } from './use-debounced-reload';

function Reloading(props: { readonly reload: () => void }) {
  useReloadOnEvents('deployment-group', props.reload, 300);
  return null;
}

describe('useReloadOnEvents', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reloads at once on the first event, once more after a burst, and at most every interval', () => {
    const api = new ScriptedBerthApi(() => ({}));
    const reload = jest.fn();
    renderInSession(api, <Reloading reload={reload} />);
    expect(api.subscriptions[0]?.variables).toEqual({ filter: { aggregate: 'deployment-group' } });

    act(() => void api.push('events', { events: { sequence: 1 } }));
    expect(reload).toHaveBeenCalledTimes(1);

    // a burst inside the interval: one more reload when it ends, not one each
    act(() => {
      for (let s = 2; s <= 5; s++) api.push('events', { events: { sequence: s } });
    });
    expect(reload).toHaveBeenCalledTimes(1);
    act(() => void jest.advanceTimersByTime(300));
    expect(reload).toHaveBeenCalledTimes(2);
    act(() => void jest.advanceTimersByTime(300));
    expect(reload).toHaveBeenCalledTimes(2);

    // quiet since: the next event reloads at once again
    act(() => void api.push('events', { events: { sequence: 6 } }));
    expect(reload).toHaveBeenCalledTimes(3);
  });

  it('stops reloading when the page goes away', () => {
    const api = new ScriptedBerthApi(() => ({}));
    const reload = jest.fn();
    const page = renderInSession(api, <Reloading reload={reload} />);
    act(() => void api.push('events', { events: { sequence: 1 } }));
    act(() => void api.push('events', { events: { sequence: 2 } }));
    page.unmount();
    act(() => void jest.advanceTimersByTime(1000));
    expect(reload).toHaveBeenCalledTimes(1);
    expect(api.subscriptions).toHaveLength(0);
  });
});
