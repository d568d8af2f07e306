// Backfill console: fetches api/migrations every few seconds and updates the page in
// place (no reload, so an expanded error stays open); a button POSTs its action to
// api/migrations/{name}/{action}, carrying Spring Security's CSRF token when there is one.
(function () {
	'use strict';

	const FIGURES = [
		['rows', 'Rows'],
		['batches', 'Batches'],
		['rate', 'Rate'],
		['eta', 'Time left'],
		['throttled', 'Throttled'],
		['chunks', 'Chunks'],
		['owners', 'Running on'],
		['started', 'Started'],
		['paused', 'Paused'],
		['remaining', 'Left by the cursor']
	];

	const list = document.getElementById('migrations');
	const cards = new Map();
	let csrf = null;
	let refreshMillis = 2000;
	let timer = null;

	function number(value) {
		return Number(value).toLocaleString('en-US');
	}

	function duration(seconds) {
		if (seconds == null) {
			return '–';
		}
		const h = Math.floor(seconds / 3600);
		const m = Math.floor((seconds % 3600) / 60);
		const s = seconds % 60;
		if (h > 0) {
			return h + 'h ' + m + 'm';
		}
		return m > 0 ? m + 'm ' + s + 's' : s + 's';
	}

	function time(iso) {
		return iso ? new Date(iso).toLocaleString() : '–';
	}

	function figures(m) {
		const total = m.estimatedTotal != null ? ' / ' + number(m.estimatedTotal) : '';
		return {
			rows: number(m.rowsProcessed) + total,
			batches: number(m.batches),
			rate: m.rowsPerSecond != null ? number(Math.round(m.rowsPerSecond)) + ' rows/s' : '–',
			eta: m.status === 'COMPLETED' ? 'done' : duration(m.etaSeconds),
			throttled: duration(m.throttledSeconds) + (m.throttleReason ? ' (' + m.throttleReason + ')' : ''),
			chunks: m.chunks ? m.chunks.completed + ' of ' + m.chunks.total + ' done, ' + m.chunks.running + ' running' : null,
			owners: m.owners && m.owners.length ? m.owners.join(', ') : null,
			started: time(m.startedAt),
			paused: m.status === 'PAUSED' ? time(m.pausedAt) + (m.pausedBy ? ' by ' + m.pausedBy : '') : null,
			remaining: m.remainingRows != null ? number(m.remainingRows) + ' rows' : null
		};
	}

	function element(tag, className, text) {
		const node = document.createElement(tag);
		if (className) {
			node.className = className;
		}
		if (text != null) {
			node.textContent = text;
		}
		return node;
	}

	function card(name) {
		let c = cards.get(name);
		if (c) {
			return c;
		}
		const root = element('li', 'migration');
		root.dataset.migration = name;
		const head = element('div', 'head');
		const title = element('h2', 'name', name);
		const status = element('span', 'status');
		const kind = element('span', 'kind');
		const percent = element('span', 'percent');
		const actions = element('div', 'actions');
		head.append(title, status, percent, kind, actions);
		const bar = element('div', 'bar');
		bar.setAttribute('role', 'progressbar');
		bar.setAttribute('aria-valuemin', '0');
		bar.setAttribute('aria-valuemax', '100');
		bar.setAttribute('aria-label', name + ' progress');
		const fill = element('div', 'fill');
		bar.append(fill);
		const dl = element('dl', 'figures');
		const values = {};
		for (const [key, label] of FIGURES) {
			const div = element('div');
			div.dataset.figure = key;
			const dd = element('dd', key);
			div.append(element('dt', null, label), dd);
			dl.append(div);
			values[key] = { div: div, dd: dd };
		}
		const error = element('details', 'error');
		error.append(element('summary', null, 'Last error'), element('pre'));
		root.append(head, bar, dl, error);
		list.append(root);
		c = { root, status, kind, percent, actions, bar, fill, values, error, actionKey: null };
		cards.set(name, c);
		return c;
	}

	function render(m) {
		const c = card(m.name);
		c.root.dataset.status = m.status;
		c.status.textContent = m.status;
		c.status.className = 'status status-' + m.status;
		c.kind.textContent = m.kind + ' on ' + m.dataSource;
		const known = m.percent != null;
		const percent = known ? Math.max(0, Math.min(100, m.percent)) : null;
		c.percent.textContent = known ? percent.toFixed(1) + '%' : '';
		c.bar.classList.toggle('unknown', !known);
		c.bar.dataset.percent = known ? String(percent) : '';
		if (known) {
			c.bar.setAttribute('aria-valuenow', percent.toFixed(1));
			c.fill.style.width = percent + '%';
		}
		else {
			c.bar.removeAttribute('aria-valuenow');
			c.fill.style.width = '';
		}
		const values = figures(m);
		for (const [key] of FIGURES) {
			const value = values[key];
			c.values[key].div.hidden = value == null;
			c.values[key].dd.textContent = value == null ? '' : value;
		}
		c.root.dataset.rows = String(m.rowsProcessed);
		c.error.hidden = !m.lastError;
		c.error.querySelector('pre').textContent = m.lastError || '';
		const actionKey = m.actions.join(',');
		if (actionKey !== c.actionKey) {
			c.actionKey = actionKey;
			c.actions.replaceChildren(...m.actions.map((action) => button(m.name, action)));
		}
	}

	function button(name, action) {
		const b = element('button', null, action.charAt(0).toUpperCase() + action.slice(1));
		b.type = 'button';
		b.dataset.action = action;
		b.addEventListener('click', () => act(name, action, b));
		return b;
	}

	function notice(message) {
		const p = document.getElementById('notice');
		p.textContent = message || '';
		p.hidden = !message;
	}

	async function act(name, action, b) {
		if ((action === 'rerun') && !window.confirm('Run ' + name + ' again from the start?')) {
			return;
		}
		b.disabled = true;
		const headers = { 'Accept': 'application/json' };
		if (csrf) {
			headers[csrf.headerName] = csrf.token;
		}
		try {
			const response = await fetch('api/migrations/' + encodeURIComponent(name) + '/' + action,
				{ method: 'POST', headers: headers, credentials: 'same-origin' });
			if (!response.ok) {
				const body = await response.json().catch(() => ({}));
				notice(action + ' ' + name + ': ' + (body.message || 'HTTP ' + response.status));
			}
			else {
				notice(null);
				render(await response.json());
			}
		}
		catch (ex) {
			notice(action + ' ' + name + ': ' + ex.message);
		}
		finally {
			b.disabled = false;
			refresh();
		}
	}

	async function refresh() {
		clearTimeout(timer);
		try {
			const response = await fetch('api/migrations', { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' });
			if (!response.ok) {
				throw new Error('HTTP ' + response.status);
			}
			const view = await response.json();
			csrf = view.csrf;
			refreshMillis = view.refreshMillis;
			const closed = document.getElementById('closed');
			closed.textContent = view.writesClosedReason || '';
			closed.hidden = view.writesOpen;
			const names = new Set(view.migrations.map((m) => m.name));
			for (const [name, c] of cards) {
				if (!names.has(name)) {
					c.root.remove();
					cards.delete(name);
				}
			}
			view.migrations.forEach(render);
			const running = view.migrations.filter((m) => m.status === 'RUNNING').length;
			document.getElementById('summary').textContent = view.migrations.length + ' migrations, ' + running + ' running';
			document.getElementById('refresh').textContent = String(Math.round(refreshMillis / 100) / 10);
			document.getElementById('updated').textContent = new Date().toLocaleTimeString();
		}
		catch (ex) {
			document.getElementById('summary').textContent = 'Cannot load the migrations: ' + ex.message;
		}
		finally {
			clearTimeout(timer);
			timer = setTimeout(refresh, refreshMillis);
		}
	}

	refresh();
})();
