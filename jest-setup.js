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
