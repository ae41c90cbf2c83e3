/*
 * Attune chat widget: first-party, no dependencies, no build step, no third-party requests.
 *
 * Full page:  <div id="attune-chat" data-attune-mode="page"></div> after /attune-config.js.
 * Any page:   <script src="https://attune.example/widget.js"
 *                     data-attune-server="https://attune.example" defer></script>
 *
 * Safety first: the crisis banner, "Get help now" and the quick exit work from configuration
 * that is already in the page, so they keep working when the chat server cannot be reached.
 * Server text is only ever inserted as text (createTextNode / textContent), never as HTML.
 */
(function () {
  'use strict';

  var STORE_KEY = 'attune.chat.v1';
  var MAX_MESSAGES = 200;
  // The server's limit (practice.yml limits.max_message_chars, enforced in
  // attune/channels/guard.py); attune-config.js may carry it as maxMessageChars.
  var DEFAULT_MAX_CHARS = 2000;
  var LIMIT_SHOWN_FROM = 0.9;       // the counter appears at 90 % of the limit
  var CONNECT_TIMEOUT_MS = 6000;
  var ACK_TIMEOUT_MS = 30000;
  // Reconnection (socket.io-client's backoff): 1 s, doubling up to 5 s, each pause +-50 %
  // so that many tabs do not all come back at once. A server that returns is found within
  // about 5 s; the HTTP route retries on the same schedule.
  var RECONNECT_MIN_MS = 1000;
  var RECONNECT_MAX_MS = 5000;
  // "Get help now" asks the assistant only while it can answer soon: a request still waiting
  // after this long, with the connection lost since it was pressed, is dropped (the page
  // already listed the lines), so a crisis reply never arrives minutes later, after an outage.
  var HELP_FRESH_MS = 15000;
  var TYPING_GRACE_MS = 10000;
  var ESCAPES_FOR_EXIT = 3;
  var ESCAPE_WINDOW_MS = 2000;
  var FALLBACK_EXIT_URL = 'https://www.google.com/';
  var SESSION_RE = /^[A-Za-z0-9_-]{22,64}$/;

  var script = document.currentScript;
  if (window.__attuneLoaded) return;  // embedding the snippet twice must not double the widget
  window.__attuneLoaded = true;

  /* ---------------------------------------------------------------- configuration */

  function dataConfig(node) {
    // The embed snippet may carry the crisis line itself, so a practice page can show it
    // even when attune-config.js cannot be fetched.
    var d = (node && node.dataset) || {};
    var cfg = {};
    if (d.attuneServer) cfg.webUrl = d.attuneServer.replace(/\/+$/, '');
    if (d.attuneRasaUrl) cfg.rasaUrl = d.attuneRasaUrl.replace(/\/+$/, '');
    if (d.practiceName) cfg.practiceName = d.practiceName;
    if (d.quickExit) cfg.quickExitUrl = d.quickExit;
    if (d.crisisName || d.crisisTel || d.emergency) {
      cfg.banner = {
        lineName: d.crisisName || '',
        tel: d.crisisTel || '',
        telLabel: d.crisisNumber || '',
        sms: d.crisisSms || '',
        smsLabel: d.crisisNumber || '',
        emergency: d.emergency || '',
        hours: d.crisisHours || ''
      };
    }
    return cfg;
  }

  function merge(base, extra) {
    var out = {};
    var k;
    for (k in base) if (Object.prototype.hasOwnProperty.call(base, k)) out[k] = base[k];
    for (k in extra) {
      if (Object.prototype.hasOwnProperty.call(extra, k) && extra[k] !== undefined && extra[k] !== null) {
        out[k] = extra[k];
      }
    }
    return out;
  }

  var DEFAULTS = {
    practiceName: 'our practice',
    rasaUrl: '',
    socketPath: '/socket.io',
    restPath: '/webhooks/socketio/webhook',
    greetPayload: '/greet',
    helpPayload: '/request_crisis_help',
    quickExitUrl: FALLBACK_EXIT_URL,
    banner: null
  };

  function safeHttpUrl(value, fallback) {
    try {
      var u = new URL(value, location.href);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    } catch (e) { /* not a URL */ }
    return fallback;
  }

  /* ---------------------------------------------------------------- storage (this tab only) */

  var storage = null;
  try {
    storage = window.sessionStorage;
    storage.setItem('attune.probe', '1');
    storage.removeItem('attune.probe');
  } catch (e) {
    storage = null;  // private modes may refuse storage; the chat still works for this page
  }

  function newSessionId() {
    // 128 random bits: anyone who knows a session id can join its socket.io room.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }

  function freshState() {
    return { sessionId: newSessionId(), greeted: false, messages: [], outbox: [], seq: 0, turn: 0 };
  }

  function loadState() {
    if (!storage) return freshState();
    try {
      var s = JSON.parse(storage.getItem(STORE_KEY) || 'null');
      if (s && typeof s.sessionId === 'string' && SESSION_RE.test(s.sessionId) &&
          Array.isArray(s.messages) && Array.isArray(s.outbox)) {
        return s;
      }
    } catch (e) { /* corrupt: start again */ }
    return freshState();
  }

  /* ---------------------------------------------------------------- DOM helpers */

  function h(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var v = props[key];
        if (v === undefined || v === null || v === false) return;
        if (key === 'className') node.className = v;
        else if (key === 'text') node.textContent = v;
        else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), v);
        else node.setAttribute(key, v === true ? '' : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function digitsOf(s) { return String(s || '').replace(/[^\d+]/g, ''); }

  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  /* A safety plan the assistant offers: headings only. What the visitor writes in it stays
     in this page: it is never sent, never put in storage, and leaves only as a download or
     an email the visitor writes to themselves. */
  function safetyPlanOf(data) {
    var custom = data && data.custom;
    var raw = (data && data.safety_plan) || (custom && ((custom.data && custom.data.safety_plan) || custom.safety_plan));
    if (!raw || typeof raw !== 'object' || !Array.isArray(raw.sections)) return null;
    var clip = function (v, n) { return typeof v === 'string' ? v.slice(0, n) : ''; };
    var sections = raw.sections.slice(0, 8).map(function (x) {
      return { heading: clip(x && x.heading, 80), prompt: clip(x && x.prompt, 160) };
    }).filter(function (x) { return x.heading; });
    return sections.length ? { title: clip(raw.title, 80) || 'My safety plan', sections: sections } : null;
  }

  var planFieldSeq = 0;

  function safetyPlanText(plan, values) {
    var out = [plan.title, ''];
    plan.sections.forEach(function (section, i) {
      out.push((i + 1) + '. ' + section.heading);
      out.push(values[i] ? values[i] : '');
      out.push('');
    });
    return out.join('\n');
  }

  function telLink(href, label, extraClass) {
    return h('a', { href: href, className: 'attune-tel' + (extraClass ? ' ' + extraClass : '') }, label);
  }

  /* Linkify: http(s) URLs and phone numbers become links, everything else stays text.
     One rule for every number in every reply (tests/browser: every line of the registry):
     - a number is the longest run of digit groups that stands on its own: "9-8-8 (24/7)"
       gives 9-8-8, not "9-8-8 (24"; nothing glued to letters or slashes ("24/7", "5km");
     - it is a phone number when it has 7 to 15 digits, is a known short number (the
       region's lines, 911, 988...), or follows "call", "text", "phone", "dial" or "TTY"
       ("call 116 123", "text 85258");
     - after "text" (but not "call or text") it opens the messaging app: sms:, else tel:. */
  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  var PHONE_RE = /\+?\d[\d ().-]{0,18}\d/g;
  // The verb nearest before a number (greedy start: the last one wins).
  var VERB_RE = /^[\s\S]*\b(call|text|phone|dial|tty)\b[^.;:!?\n]{0,24}$/i;
  var GLUED_RE = /[A-Za-z\/]/;

  function knownShortNumbers(cfg) {
    var set = {};
    var b = cfg.banner || {};
    [b.emergency, b.tel, b.sms].concat((b.more || []).map(function (m) { return m.tel; }))
      .forEach(function (n) {
        var d = digitsOf(String(n || '').replace(/^(tel|sms):/, '')).replace(/^\+/, '');
        if (d) set[d] = true;
      });
    ['911', '988', '999', '112', '000', '111'].forEach(function (n) { set[n] = true; });
    return set;
  }

  // The phone numbers in `text`: [{start, end, href}], in order.
  function findPhones(text, shortNumbers) {
    var found = [];
    var match;
    PHONE_RE.lastIndex = 0;
    while ((match = PHONE_RE.exec(text)) !== null) {
      var start = match.index;
      var raw = match[0];
      var link = null;
      if (!GLUED_RE.test(text.charAt(start - 1))) {
        var before = text.slice(Math.max(0, start - 48), start);
        var verb = ((before.match(VERB_RE) || [])[1] || '').toLowerCase();
        if (verb === 'text' && /\bcall or text\s+$/i.test(before)) verb = 'call';
        for (var end = raw.length; end > 0 && !link; end--) {
          // Only whole digit groups, and nothing glued after them.
          if (!/\d/.test(raw.charAt(end - 1)) || /\d/.test(raw.charAt(end))) continue;
          if (GLUED_RE.test(text.charAt(start + end))) continue;
          var number = raw.slice(0, end);
          var digits = number.replace(/\D/g, '');
          var ok = (digits.length >= 7 && digits.length <= 15) || shortNumbers[digits] ||
            (verb && digits.length >= 3 && digits.length <= 15);
          if (!ok) continue;
          var plus = number.charAt(0) === '+' ? '+' : '';
          link = { start: start, end: start + end, href: (verb === 'text' ? 'sms:' : 'tel:') + plus + digits };
        }
      }
      if (link) {
        found.push(link);
        PHONE_RE.lastIndex = link.end;
      }
    }
    return found;
  }

  function appendPhones(parent, text, shortNumbers) {
    var last = 0;
    findPhones(text, shortNumbers).forEach(function (phone) {
      parent.appendChild(document.createTextNode(text.slice(last, phone.start)));
      parent.appendChild(telLink(phone.href, text.slice(phone.start, phone.end)));
      last = phone.end;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderRichText(parent, text, cfg) {
    var shortNumbers = knownShortNumbers(cfg);
    var last = 0;
    text = String(text);
    text.replace(URL_RE, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, '');
      var href = safeHttpUrl(url, null);
      if (!href) return match;
      appendPhones(parent, text.slice(last, offset), shortNumbers);
      parent.appendChild(h('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, url));
      last = offset + url.length;
      return match;
    });
    appendPhones(parent, text.slice(last), shortNumbers);
  }

  /* ---------------------------------------------------------------- the transport */

  /*
   * socket.io-client from npm (pinned in package-lock.json): the chat server puts it in the
   * same script as this file, in a closure of its own (attune/web/server.py). Socket.IO
   * protocol v5 over Engine.IO v4, which Rasa 3.6's python-socketio 5 speaks. WebSocket
   * first, HTTP long-polling when a WebSocket cannot be opened; reconnection with backoff.
   * Without it (a server with no copy) the widget uses Rasa's HTTP route alone.
   */
  var socketIo = typeof attuneSocketIo === 'function' ? attuneSocketIo : null;  // eslint-disable-line no-undef

  // The server's address as the widget was told, possibly with a path in front of socket.io.
  function socketTarget(rasaUrl, socketPath) {
    var u = new URL(rasaUrl, location.href);
    return {
      origin: u.origin,
      path: u.pathname.replace(/\/+$/, '') + '/' + String(socketPath || '/socket.io').replace(/^\/+|\/+$/g, '')
    };
  }

  // Whether the practice's settings let this page's website use the chat. Unknown (no list
  // in the config) counts as yes: the server decides.
  function originAllowed(list) {
    if (!Array.isArray(list) || !list.length) return true;
    return list.some(function (o) {
      try { return new URL(String(o)).origin === location.origin; } catch (e) { return false; }
    });
  }

  /* ---------------------------------------------------------------- the widget */

  function Widget(cfg, mount, mode) {
    this.cfg = cfg;
    this.mode = mode;            // 'page' or 'embed'
    this.mount = mount;
    this.state = loadState();
    this.sock = null;
    this.sockReady = false;      // session confirmed on the socket
    this.socketFailures = 0;
    this.restOk = null;          // null = unknown, true/false after the last REST attempt
    this.refused = false;        // this website is not among the practice's allowed origins
    this.ackWaiters = [];        // messages on the socket waiting for the server's ack
    this.pumping = false;
    this.inFlight = false;
    this.botSinceSend = false;
    this.retryTimer = null;
    this.typingTimer = null;
    this.started = false;
    this.exiting = false;
    this.escapes = [];
    this.build();
  }

  // A reply's text as the chat shows it (links included), outside the conversation.
  Widget.prototype.renderText = function (text) {
    var node = h('div', null);
    renderRichText(node, text, this.cfg);
    return node;
  };

  Widget.prototype.save = function () {
    if (!storage || this.exiting) return;
    var s = this.state;
    if (s.messages.length > MAX_MESSAGES) s.messages = s.messages.slice(-MAX_MESSAGES);
    try { storage.setItem(STORE_KEY, JSON.stringify(s)); } catch (e) { /* full: keep going */ }
  };

  /* ---- building the interface */

  Widget.prototype.build = function () {
    var self = this;
    var cfg = this.cfg;
    var name = cfg.practiceName || DEFAULTS.practiceName;

    this.bannerSlot = h('div', { className: 'attune-banner-slot' });
    this.renderBanner();

    var notice = 'Automated assistant of ' + name + '. Not a therapist, and not watched live.';
    this.log = h('div', {
      className: 'attune-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-label': 'Conversation', tabindex: '0'
    });
    // On phones the header has no room for the notice: it opens the conversation instead.
    this.intro = h('p', { className: 'attune-notice attune-notice--intro' }, notice);
    this.log.appendChild(this.intro);
    this.turnStart = null;
    this.state.messages.forEach(function (m) { self.renderMessage(m); });

    this.typing = h('div', { className: 'attune-typing', hidden: true, 'aria-hidden': 'true' },
      h('span', { className: 'attune-dot' }), h('span', { className: 'attune-dot' }),
      h('span', { className: 'attune-dot' }));
    this.status = h('p', { className: 'attune-status', role: 'status' });

    var inputId = 'attune-input-' + Math.random().toString(36).slice(2, 8);
    // No maxlength: a pasted text over the limit is kept whole and the visitor told, not cut.
    this.input = h('textarea', {
      id: inputId, className: 'attune-input', rows: '1', 'aria-describedby': inputId + '-count',
      placeholder: 'Type a message', autocomplete: 'off', enterkeyhint: 'send',
      oninput: function () { self.updateLimit(); }
    });
    this.count = h('span', { className: 'attune-count', id: inputId + '-count' });
    this.limitNote = h('span', { className: 'attune-limit-note', role: 'status' });
    this.limitBox = h('div', { className: 'attune-limit' }, this.count, this.limitNote);
    this.input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        self.submit();
      }
    });
    this.form = h('form', {
      className: 'attune-composer', onsubmit: function (e) { e.preventDefault(); self.submit(); }
    },
      h('label', { className: 'attune-visually-hidden', for: inputId }, 'Your message'),
      this.input,
      this.sendButton = h('button', { type: 'submit', className: 'attune-send' }, 'Send'));

    var header = h('header', { className: 'attune-header' },
      h('div', { className: 'attune-title' },
        h(this.mode === 'page' ? 'h1' : 'h2', { className: 'attune-name' }, name)),
      h('button', {
        type: 'button', className: 'attune-exit',
        title: 'Leave this page now (or press Esc three times)',
        onclick: function () { self.quickExit(); }
      }, 'Quick exit'),
      h('p', { className: 'attune-notice attune-notice--top' }, notice));

    var tools = h('div', { className: 'attune-tools' },
      h('button', {
        type: 'button', className: 'attune-link-button',
        onclick: function () { self.clearChat(); }
      }, 'Clear this chat'),
      h('span', { className: 'attune-hint' }, 'Kept only in this tab.',
        h('span', { className: 'attune-hint-keys' }, ' Esc 3 times leaves fast.')));

    var panelChildren = [header, this.bannerSlot, this.log, this.typing, this.status, this.form,
      this.limitBox, tools];
    this.panel = h(this.mode === 'page' ? 'main' : 'section', {
      className: 'attune-panel', 'aria-label': 'Chat with ' + name + "'s assistant"
    });
    panelChildren.forEach(function (c) { self.panel.appendChild(c); });

    this.root = h('div', { className: 'attune attune--' + this.mode });
    if (this.mode === 'embed') {
      var panelId = 'attune-panel-' + Math.random().toString(36).slice(2, 8);
      this.panel.id = panelId;
      this.panel.hidden = true;
      // Its name is what it shows ("Close"): the cross is decoration (WCAG 2.5.3 label in name).
      var closeBtn = h('button', {
        type: 'button', className: 'attune-close',
        onclick: function () { self.setOpen(false); }
      }, h('span', { className: 'attune-close-x', 'aria-hidden': 'true' }, '\u00d7'), 'Close');
      header.insertBefore(closeBtn, header.firstChild.nextSibling);
      this.launcherCrisis = h('div', { className: 'attune-launcher-crisis' });
      this.renderLauncherCrisis();
      this.launcher = h('button', {
        type: 'button', className: 'attune-launcher', 'aria-expanded': 'false',
        'aria-controls': panelId, onclick: function () { self.setOpen(self.panel.hidden); }
      }, 'Chat with us');
      this.root.appendChild(this.panel);
      // A landmark of its own: on the practice's page the crisis pill is never stray content
      // (axe `region`), and a screen reader's landmark list leads to it.
      this.root.appendChild(h('section', { className: 'attune-dock', 'aria-label': 'Crisis line and chat' },
        this.launcherCrisis, this.launcher));
    } else {
      this.root.appendChild(this.panel);
    }

    document.addEventListener('keydown', function (e) { self.onKey(e); }, true);
    window.addEventListener('online', function () { self.retryNow(true); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && !self.sockReady) self.retryNow(true);
    });

    // Replace the static fallback (server-rendered banner / snippet block) with the live widget.
    while (this.mount.firstChild) this.mount.removeChild(this.mount.firstChild);
    this.mount.appendChild(this.root);
    this.reveal();
  };

  Widget.prototype.bannerLines = function () {
    // One line of text per way to get help, built from the configured banner.
    var b = this.cfg.banner || {};
    var lines = [];
    if (b.emergency) {
      lines.push(['In danger right now? Call ', telLink('tel:' + digitsOf(b.emergency), b.emergency, 'attune-strong'), '.']);
    }
    if (b.tel || b.sms) {
      var line = ['Talk to someone now: ' + (b.lineName || 'crisis line') + ', '];
      if (b.tel) line.push(telLink(b.tel, 'call ' + (b.telLabel || b.tel.replace(/^tel:/, ''))));
      if (b.tel && b.sms) line.push(' or ');
      if (b.sms) line.push(telLink(b.sms, 'text ' + (b.smsLabel || b.sms.replace(/^sms:/, '').replace(/\?.*$/, ''))));
      if (b.hours) line.push(' (' + b.hours + ')');
      line.push('.');
      lines.push(line);
    }
    if (!lines.length) {
      lines.push(['In danger right now? Call your local emergency number.']);
    }
    return lines;
  };

  // The crisis line in one line, for the phone strip: the numbers, each one tap away.
  Widget.prototype.bannerSummary = function () {
    var b = this.cfg.banner || {};
    var emergency = b.emergency ? telLink('tel:' + digitsOf(b.emergency), b.emergency) : null;
    var line = null;
    if (b.tel) line = telLink(b.tel, b.telLabel || b.tel.replace(/^tel:/, ''));
    else if (b.sms) line = telLink(b.sms, 'text ' + (b.smsLabel || b.sms.replace(/^sms:/, '').replace(/\?.*$/, '')));
    var p = h('p', { className: 'attune-banner-summary' });
    var parts = emergency && line ? ['In danger? Call ', emergency, ' or ', line]
      : emergency ? ['In danger? Call ', emergency]
      : line ? ['Crisis? ', b.tel ? 'Call ' : '', line]
      : ['In danger? Call your local emergency number.'];
    parts.forEach(function (part) { if (part) p.appendChild(typeof part === 'string' ? document.createTextNode(part) : part); });
    return p;
  };

  Widget.prototype.renderBanner = function () {
    var self = this;
    var slot = this.bannerSlot;
    while (slot.firstChild) slot.removeChild(slot.firstChild);
    var textId = 'attune-banner-' + Math.random().toString(36).slice(2, 8);
    var text = h('div', { className: 'attune-banner-text', id: textId });
    this.bannerLines().forEach(function (parts) {
      var p = h('p');
      parts.forEach(function (part) { p.appendChild(typeof part === 'string' ? document.createTextNode(part) : part); });
      text.appendChild(p);
    });
    // On phones the banner folds to one line; "More" opens the whole of it (widget.css).
    this.bannerToggle = h('button', {
      type: 'button', className: 'attune-banner-toggle', 'aria-controls': textId,
      onclick: function () { self.setBannerOpen(!self.bannerOpen); }
    });
    this.banner = h('aside', { className: 'attune-banner attune-banner--strip', 'aria-label': 'Crisis help' },
      this.bannerSummary(),
      text,
      h('button', {
        type: 'button', className: 'attune-help',
        onclick: function () { self.getHelpNow(); }
      }, 'Get help now'),
      this.bannerToggle);
    slot.appendChild(this.banner);
    this.setBannerOpen(!!this.bannerOpen);
    if (this.launcherCrisis) this.renderLauncherCrisis();
  };

  Widget.prototype.setBannerOpen = function (open) {
    this.bannerOpen = open;
    this.banner.classList.toggle('attune-banner--open', open);
    this.bannerToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    while (this.bannerToggle.firstChild) this.bannerToggle.removeChild(this.bannerToggle.firstChild);
    this.bannerToggle.appendChild(document.createTextNode(open ? 'Less' : 'More'));
    this.bannerToggle.appendChild(h('span', { className: 'attune-chevron', 'aria-hidden': 'true' }, '\u25be'));
  };

  Widget.prototype.renderLauncherCrisis = function () {
    var b = this.cfg.banner || {};
    var node = this.launcherCrisis;
    while (node.firstChild) node.removeChild(node.firstChild);
    if (b.tel) node.appendChild(h('span', null, 'Crisis? ', telLink(b.tel, 'Call ' + (b.telLabel || b.tel.replace(/^tel:/, '')))));
    else if (b.emergency) node.appendChild(h('span', null, 'Emergency? ', telLink('tel:' + digitsOf(b.emergency), 'Call ' + b.emergency)));
  };

  Widget.prototype.setOpen = function (open) {
    if (this.mode !== 'embed') return;
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    this.launcher.textContent = open ? 'Close chat' : 'Chat with us';
    if (open) {
      this.start();
      this.reveal();
      this.input.focus();
    } else {
      this.launcher.focus();
    }
  };

  /* ---- messages */

  Widget.prototype.addMessage = function (m) {
    m.id = ++this.state.seq;
    this.state.messages.push(m);
    this.save();
    return this.renderMessage(m);
  };

  Widget.prototype.isHelpButton = function (b) {
    return b.payload === this.cfg.helpPayload;
  };

  Widget.prototype.renderMessage = function (m) {
    var self = this;
    var node;
    if (m.buttons && m.buttons.some(function (b) { return self.isHelpButton(b); })) this.dropOlderHelpButtons(m);
    if (m.from === 'help') {
      node = h('div', { className: 'attune-msg attune-msg--help' });
      node.appendChild(h('p', { className: 'attune-help-title' }, 'Help you can reach right now'));
      var list = h('ul');
      this.bannerLines().forEach(function (parts) {
        var li = h('li');
        parts.forEach(function (part) {
          li.appendChild(typeof part === 'string' ? document.createTextNode(part) : part.cloneNode(true));
        });
        list.appendChild(li);
      });
      ((this.cfg.banner || {}).more || []).forEach(function (extra) {
        if (!extra || !extra.name) return;
        var li = h('li', null, extra.name + ': ');
        if (extra.tel) li.appendChild(telLink(extra.tel, 'call ' + (extra.telLabel || extra.tel.replace(/^tel:/, ''))));
        if (extra.tel && extra.sms) li.appendChild(document.createTextNode(' or '));
        if (extra.sms) li.appendChild(telLink(extra.sms, 'text ' + (extra.smsLabel || extra.sms.replace(/^sms:/, ''))));
        list.appendChild(li);
      });
      node.appendChild(list);
      node.appendChild(h('p', null, m.offline
        ? 'The chat cannot reach ' + (this.cfg.practiceName || DEFAULTS.practiceName) +
          ' from here right now: these lines work without it.'
        : 'You can also keep writing here, or ask to talk with someone at ' +
          (this.cfg.practiceName || DEFAULTS.practiceName) + '.'));
    } else {
      var who = m.from === 'user' ? 'You' : 'Assistant';
      node = h('div', { className: 'attune-msg attune-msg--' + (m.from === 'user' ? 'user' : 'bot') });
      node.appendChild(h('span', { className: 'attune-visually-hidden' }, who + ': '));
      if (m.text || !m.safetyPlan) {
        var bubble = h('p', { className: 'attune-bubble' });
        renderRichText(bubble, m.text || '', this.cfg);
        node.appendChild(bubble);
      }
      if (m.image) {
        var href = safeHttpUrl(m.image, null);
        // Images are linked, not loaded: loading them would be a request to a third party.
        if (href) node.appendChild(h('p', { className: 'attune-bubble' }, h('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, 'Open image')));
      }
      if (m.safetyPlan) node.appendChild(this.renderSafetyPlan(m.safetyPlan));
      if (m.from === 'user' && m.pending) {
        node.appendChild(h('span', { className: 'attune-pending' }, 'Not sent yet, will send when connected'));
      }
      if (m.buttons && m.buttons.length) {
        var group = h('div', { className: 'attune-replies', role: 'group', 'aria-label': 'Suggested replies' });
        m.buttons.forEach(function (b) {
          var help = self.isHelpButton(b);
          group.appendChild(h('button', {
            type: 'button', className: 'attune-reply' + (help ? ' attune-reply--help' : ''),
            disabled: m.used && !help,
            onclick: function () { self.send(String(b.payload || b.title), String(b.title || b.payload)); self.input.focus(); }
          }, String(b.title || b.payload)));
        });
        node.appendChild(group);
      }
    }
    node.setAttribute('data-id', String(m.id));
    this.log.appendChild(node);
    // A turn starts with the first reply after the visitor's message, or with a help card.
    if (m.from === 'user') this.turnStart = null;
    else if (m.from === 'help' || !this.turnStart) this.turnStart = node;
    this.reveal();
    return node;
  };

  /* Show the newest turn from its first line: a long crisis reply is read from the top, not
     from its last button. A turn that fits is shown whole, with what led to it above. */
  Widget.prototype.reveal = function () {
    var log = this.log;
    if (!log || !log.clientHeight) return;   // not on screen yet (closed embed, still building)
    var start = this.turnStart;
    if (!start || start.parentNode !== log) {
      log.scrollTop = log.scrollHeight;
      return;
    }
    var top = log.scrollTop + start.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    log.scrollTop = log.scrollHeight - top <= log.clientHeight ? log.scrollHeight : top;
  };

  /* One "Get help now" in the conversation: a newer reply that offers it takes it from the
     older ones. */
  Widget.prototype.dropOlderHelpButtons = function (newer) {
    var self = this;
    this.state.messages.forEach(function (m) {
      if (m === newer || !m.buttons) return;
      var kept = m.buttons.filter(function (b) { return !self.isHelpButton(b); });
      if (kept.length !== m.buttons.length) m.buttons = kept;
    });
    this.save();
    var old = this.log.querySelectorAll('.attune-reply--help');
    for (var i = 0; i < old.length; i++) {
      var group = old[i].parentNode;
      if (document.activeElement === old[i]) this.input.focus();
      group.removeChild(old[i]);
      if (!group.firstChild) group.parentNode.removeChild(group);
    }
  };

  /* Menus the visitor has moved on from stay readable but are no longer choices. "Get help
     now" is not a menu choice: it stays live wherever it is. */
  Widget.prototype.retireButtons = function () {
    var changed = false;
    this.state.messages.forEach(function (m) {
      if (m.buttons && m.buttons.length && !m.used) { m.used = true; changed = true; }
    });
    if (!changed) return;
    var live = this.log.querySelectorAll('.attune-reply:not(.attune-reply--help):not(:disabled)');
    for (var i = 0; i < live.length; i++) {
      if (document.activeElement === live[i]) this.input.focus();
      live[i].disabled = true;
    }
  };

  Widget.prototype.renderSafetyPlan = function (plan) {
    var card = h('section', { className: 'attune-plan', 'aria-label': plan.title });
    card.appendChild(h('p', { className: 'attune-plan-title' }, plan.title));
    card.appendChild(h('p', { className: 'attune-plan-note' },
      'Only on this screen: nothing you write here is sent or saved.'));
    var fields = [];
    var download = h('a', { className: 'attune-plan-action', download: 'my-safety-plan.txt' }, 'Download');
    var email = h('a', { className: 'attune-plan-action' }, 'Email it to myself');
    var refresh = function () {
      var text = safetyPlanText(plan, fields.map(function (f) { return f.value; }));
      download.setAttribute('href', 'data:text/plain;charset=utf-8,' + encodeURIComponent(text));
      email.setAttribute('href', 'mailto:?subject=' + encodeURIComponent(plan.title) +
        '&body=' + encodeURIComponent(text));
    };
    plan.sections.forEach(function (section, i) {
      var id = 'attune-plan-' + (++planFieldSeq) + '-' + i;
      card.appendChild(h('label', { className: 'attune-plan-heading', 'for': id }, (i + 1) + '. ' + section.heading));
      if (section.prompt) card.appendChild(h('p', { className: 'attune-plan-prompt' }, section.prompt));
      var field = h('textarea', { id: id, className: 'attune-plan-field', rows: '2', maxlength: '1000',
        autocomplete: 'off', oninput: refresh });
      fields.push(field);
      card.appendChild(field);
    });
    refresh();
    card.appendChild(h('div', { className: 'attune-plan-actions' }, download, email));
    return card;
  };

  Widget.prototype.onBot = function (data) {
    if (!data || typeof data !== 'object') return;
    var m = { from: 'bot', text: typeof data.text === 'string' ? data.text : '' };
    var buttons = data.quick_replies || data.buttons;
    if (Array.isArray(buttons)) {
      m.buttons = buttons.filter(function (b) { return b && (b.title || b.payload); })
        .map(function (b) { return { title: String(b.title || b.payload), payload: String(b.payload || b.title) }; });
    }
    var att = data.attachment;
    if (att && att.type === 'image' && att.payload && att.payload.src) m.image = att.payload.src;
    if (typeof data.image === 'string') m.image = data.image;
    var plan = safetyPlanOf(data);
    if (plan) m.safetyPlan = plan;
    if (!m.text && !m.image && !m.safetyPlan && !(m.buttons && m.buttons.length)) return;  // unknown custom payload
    // The answer to a message sent before a newer one (a queue after an outage): its menu
    // is already out of date.
    m.turn = this.currentTurn || 0;
    if (m.buttons && m.turn < (this.state.turn || 0)) m.used = true;
    this.botSinceSend = true;
    this.addMessage(m);
    if (!this.inFlight) this.setTyping(false);
  };

  /* ---- sending */

  Widget.prototype.maxChars = function () {
    var n = Number(this.cfg.maxMessageChars);
    return n >= 1 && n === Math.floor(n) ? n : DEFAULT_MAX_CHARS;
  };

  /* The length limit, shown near it; over it, a word instead of a silent cut. */
  Widget.prototype.updateLimit = function () {
    var max = this.maxChars();
    var n = this.input.value.length;
    var near = n >= Math.floor(max * LIMIT_SHOWN_FROM);
    var over = n > max;
    this.limitBox.classList.toggle('attune-limit--near', near);
    this.limitBox.classList.toggle('attune-limit--over', over);
    var count = near ? grouped(n) + ' of ' + grouped(max) + ' characters' : '';
    if (this.count.textContent !== count) this.count.textContent = count;
    var note = over ? 'That is more than one message can hold. Could you send it in two parts? ' +
      'Your words stay here until you send them.' : '';
    if (this.limitNote.textContent !== note) this.limitNote.textContent = note;
    return !over;
  };

  Widget.prototype.submit = function () {
    var text = this.input.value.replace(/^\s+|\s+$/g, '');
    if (!text) return;
    if (!this.updateLimit()) return;   // the note says why; the words stay in the field
    this.input.value = '';
    this.updateLimit();
    this.send(text, text);
  };

  /* Queue a message; `display` is what the person sees (null for hidden payloads); `help`:
     it is "Get help now", not worth sending late (dropStaleHelp). */
  Widget.prototype.send = function (text, display, help) {
    if (this.refused) return;
    text = String(text).slice(0, this.maxChars());
    this.retireButtons();
    this.state.turn = (this.state.turn || 0) + 1;
    var item = { text: text, turn: this.state.turn };
    if (help) item.helpAt = Date.now();
    if (display) {
      var m = { from: 'user', text: display, pending: true };
      this.addMessage(m);
      item.msgId = m.id;
    }
    this.state.outbox.push(item);
    this.save();
    this.start();
    this.pump();
  };

  Widget.prototype.markSent = function (item) {
    if (!item.msgId) return;
    var msgs = this.state.messages;
    for (var i = 0; i < msgs.length; i++) {
      if (msgs[i].id === item.msgId) delete msgs[i].pending;
    }
    var node = this.log.querySelector('[data-id="' + item.msgId + '"] .attune-pending');
    if (node) node.parentNode.removeChild(node);
  };

  Widget.prototype.pump = function () {
    var self = this;
    if (this.pumping || this.exiting || this.refused) return;
    this.dropStaleHelp();
    var item = this.state.outbox[0];
    if (!item) return;
    var sessionId = this.state.sessionId;
    var attempt;
    if (this.sock && this.sockReady) {
      attempt = this.emitWithAck('user_uttered', { message: item.text, session_id: sessionId })
        .then(function (ok) { return ok !== false; });  // a late ack: the server has it
    } else if (this.socketFailures > 0 || !socketIo) {
      attempt = this.restSend(item.text, sessionId);
    } else {
      return;  // still connecting the socket: wait for it
    }
    this.pumping = true;
    this.inFlight = true;
    this.botSinceSend = false;
    this.currentTurn = item.turn || 0;
    this.setTyping(true);
    attempt.then(function (ok) {
      // A cleared chat or a quick exit owns the queue now: this answer belongs to the old one.
      if (self.exiting || sessionId !== self.state.sessionId) return;
      self.pumping = false;
      self.inFlight = false;
      if (ok) {
        if (self.state.outbox[0] === item) self.state.outbox.shift();
        self.markSent(item);
        self.save();
        self.afterReply();
        self.pump();
      } else {
        self.setTyping(false);
        self.updateStatus();
        // The socket came back while the HTTP route was refused (it holds the session): go on.
        if (self.sockReady) self.pump();
        else self.scheduleRetry();
      }
    });
  };

  /* "Get help now" is answered by the page at once; the assistant is asked too only while it
     can answer soon. Never a crisis reply long after the visitor pressed it: a press that has
     waited too long is dropped, unless the socket has stayed connected since (the assistant
     is only slow, and will answer in turn). */
  Widget.prototype.dropStaleHelp = function () {
    var now = Date.now();
    var before = this.state.outbox.length;
    var connectedSince = this.sockReady ? this.connectedSince : Infinity;
    this.state.outbox = this.state.outbox.filter(function (item) {
      return !(item.helpAt && now - item.helpAt > HELP_FRESH_MS && connectedSince > item.helpAt);
    });
    if (this.state.outbox.length !== before) this.save();
  };

  /* Emit and resolve true when the server acknowledges (its handler finished), false if the
     socket closed first, 'timeout' if nothing came back in time. */
  Widget.prototype.emitWithAck = function (name, data) {
    var self = this;
    var sock = this.sock;
    return new Promise(function (resolve) {
      var timer = null;
      var finish = function (result) {
        if (!finish.pending) return;
        finish.pending = false;
        clearTimeout(timer);
        self.ackWaiters = self.ackWaiters.filter(function (f) { return f !== finish; });
        resolve(result);
      };
      finish.pending = true;
      timer = setTimeout(function () { finish('timeout'); }, ACK_TIMEOUT_MS);
      self.ackWaiters.push(finish);
      sock.emit(name, data, function () { finish(true); });
    });
  };

  Widget.prototype.afterReply = function () {
    var self = this;
    if (this.botSinceSend || this.state.outbox.length) { this.setTyping(false); return; }
    // Acknowledged before any reply arrived: keep the dots a little longer, then stop.
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { self.setTyping(false); }, TYPING_GRACE_MS);
  };

  Widget.prototype.restSend = function (text, sessionId) {
    var self = this;
    var url = this.cfg.rasaUrl + this.cfg.restPath;
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: text }),
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', mode: 'cors'
    }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    }).then(function (list) {
      self.restOk = true;
      self.updateStatus();
      if (sessionId === self.state.sessionId && Array.isArray(list)) {
        list.forEach(function (m) { self.onBot(m); });
      }
      return true;
    }).catch(function () {
      self.restOk = false;
      return false;
    });
  };

  /* ---- connection */

  Widget.prototype.start = function () {
    if (this.started || this.exiting) return;
    this.started = true;
    if (!this.state.greeted) {
      this.state.greeted = true;
      this.state.outbox.unshift({ text: this.cfg.greetPayload });
      this.save();
    }
    this.checkSite();
    this.connect();
  };

  /* A website the practice has not listed is refused by the server, every time: say so
     plainly, keep the crisis lines in view, and do not pretend a message will go out. */
  Widget.prototype.checkSite = function () {
    var refused = !originAllowed(this.cfg.allowedOrigins);
    if (refused === !!this.refused) return;
    this.refused = refused;
    if (refused) this.dropSocket();
    this.input.disabled = refused;
    this.sendButton.disabled = refused;
    this.input.placeholder = refused ? 'Not available here' : 'Type a message';
    this.updateStatus();
    if (!refused && this.started) this.connect();
  };

  Widget.prototype.connect = function () {
    var self = this;
    if (this.sock || this.exiting || this.refused) return;
    if (!socketIo || !this.cfg.rasaUrl) { this.onSocketFailed(); return; }
    var target = socketTarget(this.cfg.rasaUrl, this.cfg.socketPath);
    var sock = socketIo(target.origin, {
      path: target.path,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,          // polling when a WebSocket cannot be opened
      reconnection: true,
      reconnectionDelay: RECONNECT_MIN_MS,
      reconnectionDelayMax: RECONNECT_MAX_MS,
      randomizationFactor: 0.5,
      timeout: CONNECT_TIMEOUT_MS,
      forceNew: true,                  // one connection per conversation, never shared
      withCredentials: false
    });
    this.sock = sock;
    sock.on('connect', function () {
      // Every (re)connection asks for this conversation again: the server binds it anew.
      sock.emit('session_request', { session_id: self.state.sessionId });
    });
    sock.on('session_confirm', function (confirmed) {
      if (self.sock !== sock) return;
      // The server may replace an id it does not accept: from then on, use its id.
      if (typeof confirmed === 'string' && SESSION_RE.test(confirmed) && confirmed !== self.state.sessionId) {
        self.state.sessionId = confirmed;
        self.save();
      }
      self.sockReady = true;
      self.connectedSince = Date.now();
      self.socketFailures = 0;
      self.updateStatus();
      self.pump();
    });
    sock.on('bot_uttered', function (data) { if (self.sock === sock) self.onBot(data); });
    sock.on('rate_limited', function () {
      self.status.textContent = 'That was a lot of messages in a short time. Please wait a minute, ' +
        'then send your last message again. The crisis lines above work now.';
    });
    sock.on('connect_error', function () { if (self.sock === sock) self.onSocketFailed(); });
    sock.on('disconnect', function (reason) {
      if (self.sock !== sock) return;
      // What was not sent yet stays in our own queue (kept in this tab): the library must
      // not send its copy as well after a reconnection.
      sock.sendBuffer = [];
      self.failAcks();
      self.sockReady = false;
      if (reason === 'io server disconnect') {
        // The server closed this connection on purpose: the library does not come back by
        // itself, so ask again after the first pause.
        setTimeout(function () { if (self.sock === sock && !sock.connected) sock.connect(); },
          RECONNECT_MIN_MS * (0.5 + Math.random()));
      }
      self.onSocketFailed();
    });
  };

  Widget.prototype.failAcks = function () {
    var waiting = this.ackWaiters;
    this.ackWaiters = [];
    waiting.forEach(function (finish) { finish(false); });
  };

  Widget.prototype.dropSocket = function () {
    var sock = this.sock;
    this.sock = null;
    this.sockReady = false;
    this.failAcks();
    if (sock) {
      sock.off();
      sock.io.off();
      sock.disconnect();
    }
  };

  Widget.prototype.onSocketFailed = function () {
    var self = this;
    this.socketFailures += 1;
    if (this.exiting || this.refused) return;
    if (this.state.outbox.length) {
      this.pump();                      // falls back to the HTTP route
    } else if (this.restOk === null && this.cfg.rasaUrl) {
      // Nothing to send: ask the server whether it is there at all, to show an honest status.
      fetch(this.cfg.rasaUrl + '/', { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
        .then(function (r) { self.restOk = r.ok; }, function () { self.restOk = false; })
        .then(function () { self.updateStatus(); });
    }
    this.updateStatus();
    // The socket retries by itself; without one, the HTTP route tries again while it has
    // something to send or has not been reached yet.
    if (!this.sock && (this.state.outbox.length || this.restOk !== true)) this.scheduleRetry();
  };

  Widget.prototype.scheduleRetry = function () {
    var self = this;
    if (this.retryTimer || this.exiting || this.refused) return;
    var n = Math.min(this.socketFailures, 6);
    var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, Math.max(0, n - 1)));
    delay = delay * (0.5 + Math.random());  // jitter: many tabs must not retry in step
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.retryNow(false);
    }, delay);
  };

  /* `fresh`: the browser says the network is back or the tab is in view again: try at once
     instead of waiting out the pause (a hidden tab's timers may have been slowed down). */
  Widget.prototype.retryNow = function (fresh) {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.started || this.exiting || this.refused) return;
    if (fresh && this.sock && !this.sock.connected) this.dropSocket();
    this.restOk = this.restOk === true ? true : null;
    if (!this.sock) this.connect();
    this.pump();
  };

  Widget.prototype.updateStatus = function () {
    var offline = !this.refused && !this.sockReady && this.socketFailures > 0 && this.restOk !== true;
    var status = this.status;
    var key = this.refused ? 'refused' : offline ? 'offline' : '';
    if (status.getAttribute('data-state') === key && (key || !status.textContent)) return;
    status.setAttribute('data-state', key);
    while (status.firstChild) status.removeChild(status.firstChild);
    if (this.refused) {
      status.appendChild(document.createTextNode('This chat is not set up for this website, so it ' +
        'cannot send or receive messages here. '));
      this.crisisSentence().forEach(function (part) { status.appendChild(part); });
    } else if (offline) {
      status.appendChild(document.createTextNode('Reconnecting\u2026 The chat cannot reach the server ' +
        'right now. Anything you write will be sent when it is back. The crisis lines above work now.'));
    }
    this.root.classList.toggle('attune-offline', offline || !!this.refused);
  };

  // "If you need help now, call 9-8-8, or 9-1-1 in an emergency.", each number a link.
  Widget.prototype.crisisSentence = function () {
    var b = this.cfg.banner || {};
    var parts = [];
    var text = function (t) { parts.push(document.createTextNode(t)); };
    var line = b.tel ? telLink(b.tel, b.telLabel || b.tel.replace(/^tel:/, ''))
      : b.sms ? telLink(b.sms, b.smsLabel || b.sms.replace(/^sms:/, '').replace(/\?.*$/, '')) : null;
    var emergency = b.emergency ? telLink('tel:' + digitsOf(b.emergency), b.emergency) : null;
    if (line) {
      text('If you need to talk to someone now, ' + (b.tel ? 'call ' : 'text ') + (b.lineName ? b.lineName + ' at ' : ''));
      parts.push(line);
      if (emergency) { text(', or '); parts.push(emergency); text(' in an emergency.'); } else text('.');
    } else if (emergency) {
      text('In an emergency, call '); parts.push(emergency); text('.');
    } else {
      text('In an emergency, call your local emergency number.');
    }
    return parts;
  };

  Widget.prototype.setTyping = function (on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
  };

  /* ---- safety controls */

  Widget.prototype.getHelpNow = function () {
    if (this.mode === 'embed' && this.panel.hidden) this.setOpen(true);
    // Show the lines at once from the page's own config, whatever the server is doing.
    var offline = !!this.refused || (!this.sockReady && this.socketFailures > 0 && this.restOk !== true);
    this.addMessage({ from: 'help', offline: offline });
    // Offline, that list is the answer: asking the assistant later would bring a second
    // crisis reply long after the visitor pressed the button.
    if (offline) return;
    this.send(this.cfg.helpPayload, null, true);
  };

  Widget.prototype.onKey = function (e) {
    if (e.key !== 'Escape') return;
    var now = Date.now();
    this.escapes = this.escapes.filter(function (t) { return now - t < ESCAPE_WINDOW_MS; });
    this.escapes.push(now);
    if (this.escapes.length >= ESCAPES_FOR_EXIT) {
      e.preventDefault();
      this.quickExit();
    } else if (this.mode === 'embed' && !this.panel.hidden && this.escapes.length === 1) {
      this.setOpen(false);
    }
  };

  Widget.prototype.forgetEverything = function () {
    clearTimeout(this.retryTimer);
    clearTimeout(this.typingTimer);
    this.retryTimer = null;
    this.dropSocket();
    try { if (storage) storage.clear(); } catch (e) { /* nothing to clear */ }
  };

  Widget.prototype.quickExit = function () {
    if (this.exiting) return;
    this.exiting = true;
    var target = safeHttpUrl(this.cfg.quickExitUrl, FALLBACK_EXIT_URL);
    this.forgetEverything();
    this.state = freshState();
    // Blank the page first: if the next page is slow to load, nothing is left on screen.
    if (this.root.parentNode) this.root.parentNode.removeChild(this.root);
    if (this.mode === 'page') {
      while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
      document.title = '';
    }
    // replace(), not assign(): Back must not lead to the chat.
    window.location.replace(target);
  };

  Widget.prototype.clearChat = function () {
    this.forgetEverything();
    this.state = freshState();
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.log.appendChild(this.intro);
    this.turnStart = null;
    this.currentTurn = 0;
    this.socketFailures = 0;
    this.restOk = null;
    this.refused = false;
    this.pumping = false;
    this.inFlight = false;
    this.setTyping(false);
    this.input.value = '';
    this.updateLimit();
    this.status.textContent = 'Chat cleared. A new conversation has started.';
    this.started = false;
    this.start();
    this.input.focus();
  };

  /* ---------------------------------------------------------------- start-up */

  function normaliseConfig(cfg) {
    cfg = merge(DEFAULTS, cfg);
    cfg.rasaUrl = String(cfg.rasaUrl || '').replace(/\/+$/, '');
    cfg.quickExitUrl = safeHttpUrl(cfg.quickExitUrl, FALLBACK_EXIT_URL);
    return cfg;
  }

  function loadRemoteConfig(webUrl, done) {
    // The practice page may not allow our script: then the data- attributes are all we have.
    var s = document.createElement('script');
    s.src = webUrl + '/attune-config.js';
    s.async = true;
    s.onload = function () { done(window.ATTUNE_CONFIG || null); };
    s.onerror = function () { done(null); };
    (document.head || document.documentElement).appendChild(s);
  }

  function loadStylesheet(webUrl) {
    if (document.querySelector('link[data-attune-css]')) return;
    var l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = webUrl + '/widget.css';
    l.setAttribute('data-attune-css', '');
    (document.head || document.documentElement).appendChild(l);
  }

  function boot() {
    var pageMount = document.querySelector('[data-attune-mode="page"]');
    var fromData = dataConfig(script);
    if (pageMount) {
      var w = new Widget(normaliseConfig(merge(fromData, window.ATTUNE_CONFIG || {})), pageMount, 'page');
      window.AttuneWidget = w;
      w.start();
      // No autofocus: on a phone it would open the keyboard over the crisis banner.
      return;
    }
    var webUrl = fromData.webUrl || (script && script.src ? new URL('.', script.src).href.replace(/\/+$/, '') : '');
    if (webUrl) loadStylesheet(webUrl);
    // Mount into the practice's fallback block if there is one, otherwise at the end of <body>.
    var mount = document.querySelector('[data-attune-fallback]');
    if (!mount) {
      mount = document.createElement('div');
      document.body.appendChild(mount);
    }
    var widget = new Widget(normaliseConfig(merge({ rasaUrl: webUrl }, fromData)), mount, 'embed');
    window.AttuneWidget = widget;
    if (!webUrl) return;
    loadRemoteConfig(webUrl, function (remote) {
      if (!remote) return;
      // The server's config is newer than the snippet's copy, except for what the snippet set.
      var before = widget.cfg.rasaUrl;
      widget.cfg = normaliseConfig(merge(merge(widget.cfg, remote), fromData));
      if (remote.banner) widget.cfg.banner = remote.banner;
      widget.renderBanner();
      widget.checkSite();
      // Opened before the config came: the socket was aimed at the wrong address.
      if (widget.cfg.rasaUrl !== before && widget.sock) {
        widget.dropSocket();
        widget.connect();
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
