// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's server renderer (imported by @grafana/ui) needs MessageChannel. One built on timers
// keeps jest able to exit, unlike the worker_threads one whose port stays referenced.
if (typeof global.MessageChannel === 'undefined') {
  class TimerMessagePort {
    onmessage = null;
    other = null;
    postMessage(data) {
      const target = this.other;
      setTimeout(() => target && target.onmessage && target.onmessage({ data }), 0);
    }
    close() {}
    start() {}
    addEventListener() {}
    removeEventListener() {}
  }
  global.MessageChannel = class {
    constructor() {
      this.port1 = new TimerMessagePort();
      this.port2 = new TimerMessagePort();
      this.port1.other = this.port2;
      this.port2.other = this.port1;
    }
  };
}

// Combobox measures option text on a canvas; jsdom has none, so give it a fixed-width font.
HTMLCanvasElement.prototype.getContext = () => ({ measureText: (text) => ({ width: String(text).length * 8 }), font: '' });

// Combobox menus watch their scroll position; jsdom lacks IntersectionObserver.
if (typeof global.IntersectionObserver === 'undefined') {
  global.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}

// jsdom computes a style by matching every rule of every sheet (its own default sheet and the
// few hundred rules emotion inserts for @grafana/ui) against the element and, because visibility
// is inherited, against each of its ancestors: milliseconds a call, tens of them on a busy machine. Role queries, user-event's
// pointer-events check, floating-ui's positioning and react-aria's visibility check call it
// hundreds of times an action with the same arguments, which made the editor tests CPU-bound
// (three quarters of their time) and outlast jest's timeout on busy machines. The answer only
// changes when the document does, so keep it until then: any DOM mutation (read synchronously
// from a MutationObserver), any event (focus, checked and value states live outside the DOM) or
// the next microtask checkpoint clears it.
const computedStyle = window.getComputedStyle.bind(window);
let computedStyles = new Map();
const domChanges = new MutationObserver(() => {});
domChanges.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
const forgetComputedStyles = () => {
  computedStyles = new Map();
};
const stateEvents = ['focusin', 'focusout', 'focus', 'blur', 'input', 'change', 'keydown', 'keyup', 'click', 'scroll'];
const pointerEvents = ['pointerdown', 'pointerup', 'pointerover', 'pointerout', 'mousedown', 'mouseup', 'mouseover', 'mouseout'];
for (const type of [...stateEvents, ...pointerEvents]) {
  window.addEventListener(type, forgetComputedStyles, true);
}
window.getComputedStyle = (element, pseudoElement) => {
  if (domChanges.takeRecords().length > 0) {
    forgetComputedStyles();
  }
  const key = pseudoElement ? `${pseudoElement}` : '';
  let styles = computedStyles.get(element);
  if (!styles) {
    if (computedStyles.size === 0) {
      const filled = computedStyles;
      queueMicrotask(() => filled === computedStyles && forgetComputedStyles());
    }
    styles = new Map();
    computedStyles.set(element, styles);
  }
  let style = styles.get(key);
  if (!style) {
    style = computedStyle(element, pseudoElement);
    styles.set(key, style);
  }
  return style;
};
