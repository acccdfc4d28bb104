#!/usr/bin/env bash
# Makes sure this machine's MariaDB and Redis are installed and running, and
# that MariaDB has a user for the tests. Prints the two settings the tests
# read, for eval:
#   eval "$(scripts/services.sh)"
set -euo pipefail

log() { echo "services: $*" >&2; }

apt_install() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/tmp/yaoju-apt.log 2>&1; then
    apt-get update >/tmp/yaoju-apt-update.log 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>/tmp/yaoju-apt.log 2>&1
  fi
}

if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  log "installing mariadb-server"
  apt_install mariadb-server
fi
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing redis-server"
  apt_install redis-server
fi

if ! mysqladmin ping >/dev/null 2>&1; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 1; done
fi
mysqladmin ping >/dev/null 2>&1 || { log "MariaDB does not answer"; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { log "Redis does not answer"; exit 1; }

# A test user that may create and drop its own databases.
mysql -e "CREATE USER IF NOT EXISTS 'yaoju_test'@'127.0.0.1' IDENTIFIED BY 'yaoju_test';
          CREATE USER IF NOT EXISTS 'yaoju_test'@'localhost' IDENTIFIED BY 'yaoju_test';
          GRANT ALL PRIVILEGES ON *.* TO 'yaoju_test'@'127.0.0.1';
          GRANT ALL PRIVILEGES ON *.* TO 'yaoju_test'@'localhost';
          FLUSH PRIVILEGES;"

echo "export YAOJU_TEST_MYSQL_DSN='yaoju_test:yaoju_test@tcp(127.0.0.1:3306)/'"
echo "export YAOJU_TEST_REDIS_ADDR='127.0.0.1:6379'"
