# Starts a private PostgreSQL and Redis for tests and the demo, on free ports
# in a throw-away folder, installing what the machine lacks. Source it, then
# call services_start; services_stop undoes everything it started.
#
# After services_start: SERVICES_DIR, PG_URL (a superuser URL on database
# "postgres") and REDIS_URL_BASE (redis://127.0.0.1:PORT).

services_log() { printf 'services: %s\n' "$*" >&2; }

apt_install() {
	if [ "$(id -u)" != 0 ]; then
		local what="$*"
		services_log "need ${what#--no-install-recommends } but cannot install it without root; install it and run again"
		return 1
	fi
	if [ -z "${APT_UPDATED:-}" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# browser_install prints the path of Debian's chromium, installing it when
# it is missing, with fonts-noto-cjk (without a Japanese font the pages
# show empty boxes). Headless tests need none of chromium's recommends.
browser_install() {
	local pkgs=() log
	command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
	if command -v dpkg-query >/dev/null 2>&1 &&
		[ "$(dpkg-query -W -f '${Status}' fonts-noto-cjk 2>/dev/null)" != "install ok installed" ]; then
		pkgs+=(fonts-noto-cjk)
	fi
	if [ ${#pkgs[@]} -gt 0 ]; then
		services_log "installing ${pkgs[*]}"
		log=$(mktemp)
		if ! apt_install --no-install-recommends "${pkgs[@]}" >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			return 1
		fi
		rm -f "$log"
	fi
	command -v chromium
}

# pg_bindir finds initdb, pg_ctl and postgres: /usr/local/bin, then Debian's
# versioned folders, then installs Debian's server.
pg_bindir() {
	local d
	for d in /usr/local/bin /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
			echo "$d"
			return 0
		fi
	done
	apt_install postgresql >/dev/null || return 1
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# free_port prints a port nothing listens on, below the kernel's ephemeral
# range: a port in that range may be taken at any moment by an outgoing
# connection (the tests make thousands), and then the bind fails.
free_port() {
	local port low=32768 range
	range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) && low=${range%%[[:space:]]*}
	[ "$low" -gt 11000 ] 2>/dev/null || low=32768
	for _ in $(seq 1 200); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	services_log "found no free port"
	return 1
}

# as_pg_user runs a command as an unprivileged user: Postgres refuses root.
as_pg_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		"$@"
	fi
}

services_start() {
	SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mamasroom-services.XXXXXX")
	chmod 755 "$SERVICES_DIR"

	local bindir
	bindir=$(pg_bindir) || { services_log "no PostgreSQL server found or installable"; return 1; }
	command -v redis-server >/dev/null 2>&1 || apt_install redis-server || return 1

	PG_OS_USER=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		PG_OS_USER=postgres
		id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_OS_USER"
	fi
	mkdir -p "$SERVICES_DIR/pg"
	[ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$SERVICES_DIR/pg"

	as_pg_user "$bindir/initdb" -D "$SERVICES_DIR/pg/data" -U mamasroom -A trust \
		--no-sync -E UTF8 --locale=C >"$SERVICES_DIR/initdb.log" 2>&1 ||
		{ cat "$SERVICES_DIR/initdb.log" >&2; return 1; }
	# A port free a moment ago may be taken before the bind: try another.
	local try started=
	for try in 1 2 3 4 5; do
		PG_PORT=$(free_port) || return 1
		if as_pg_user "$bindir/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/postgres.log" -w \
			-o "-p $PG_PORT -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
			start >/dev/null; then
			started=1
			break
		fi
		services_log "postgres could not start on port $PG_PORT (try $try)"
	done
	[ -n "$started" ] || { cat "$SERVICES_DIR/pg/postgres.log" >&2; return 1; }
	PG_BINDIR=$bindir
	PG_URL="postgres://mamasroom@127.0.0.1:$PG_PORT/postgres?sslmode=disable"

	started=
	for try in 1 2 3 4 5; do
		REDIS_PORT=$(free_port) || return 1
		rm -f "$SERVICES_DIR/redis.pid"
		redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
			--databases 4096 --daemonize yes --dir "$SERVICES_DIR" \
			--pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" >/dev/null
		for _ in $(seq 1 50); do
			if [ -s "$SERVICES_DIR/redis.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
				started=1
				break 2
			fi
			sleep 0.1
		done
		services_log "redis could not start on port $REDIS_PORT (try $try)"
	done
	[ -n "$started" ] || { cat "$SERVICES_DIR/redis.log" >&2; return 1; }
	REDIS_URL_BASE="redis://127.0.0.1:$REDIS_PORT"
	services_log "postgres on 127.0.0.1:$PG_PORT, redis on 127.0.0.1:$REDIS_PORT"
}

services_stop() {
	[ -n "${SERVICES_DIR:-}" ] && [ -d "$SERVICES_DIR" ] || return 0
	if [ -f "$SERVICES_DIR/redis.pid" ]; then
		kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
	fi
	if [ -n "${PG_BINDIR:-}" ] && [ -d "$SERVICES_DIR/pg/data" ]; then
		as_pg_user "$PG_BINDIR/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
	fi
	rm -rf "$SERVICES_DIR"
	SERVICES_DIR=
}
