package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/glebarez/sqlite"
	"github.com/redis/go-redis/v9"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"yaoju/config"
	"yaoju/model"
)

// openDB opens MySQL/MariaDB when a DSN is configured, otherwise the embedded
// SQLite file, and creates or updates the schema.
func openDB(cfg config.Config, now func() time.Time, log *slog.Logger) (*gorm.DB, error) {
	gcfg := &gorm.Config{
		// Measured here: GORM's implicit transaction per write costs ~20%;
		// the rules open explicit transactions where they need them.
		SkipDefaultTransaction: true,
		TranslateError:         true,
		PrepareStmt:            true,
		NowFunc:                func() time.Time { return now().UTC() },
		Logger: logger.New(slogWriter{log}, logger.Config{
			SlowThreshold:             500 * time.Millisecond,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			// Never put query values (ID numbers, phones) in logs.
			ParameterizedQueries: true,
		}),
	}
	var db *gorm.DB
	var err error
	if cfg.Embedded() {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		path := filepath.Join(cfg.DataDir, "yaoju.db")
		dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
		db, err = gorm.Open(sqlite.Open(dsn), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		sqlDB, _ := db.DB()
		// SQLite has one writer; one connection avoids "database is locked".
		sqlDB.SetMaxOpenConns(1)
	} else {
		db, err = gorm.Open(mysql.Open(mysqlDSN(cfg.MySQLDSN)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(64)
		sqlDB.SetMaxIdleConns(64)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	if err := migrate(db); err != nil {
		return nil, err
	}
	return db, nil
}

func migrate(db *gorm.DB) error {
	opts := db
	if db.Dialector.Name() == "mysql" {
		opts = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := opts.AutoMigrate(model.All()...); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// mysqlDSN adds the parameters yaoju relies on: times parsed and kept in UTC,
// and utf8mb4 for Chinese names.
func mysqlDSN(dsn string) string {
	base, query, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return dsn
	}
	for k, v := range map[string]string{"parseTime": "true", "loc": "UTC", "charset": "utf8mb4"} {
		if params.Get(k) == "" {
			params.Set(k, v)
		}
	}
	return base + "?" + params.Encode()
}

// redisStore is the Redis client, and the in-process server behind it in
// embedded mode.
type redisStore struct {
	client   redis.UniversalClient
	embedded *miniredis.Miniredis
}

func openRedis(cfg config.Config) (*redisStore, error) {
	if cfg.RedisAddr == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start in-process redis: %w", err)
		}
		return &redisStore{client: redis.NewClient(&redis.Options{Addr: mr.Addr()}), embedded: mr}, nil
	}
	if strings.HasPrefix(cfg.RedisAddr, "redis://") || strings.HasPrefix(cfg.RedisAddr, "rediss://") {
		opts, err := redis.ParseURL(cfg.RedisAddr)
		if err != nil {
			return nil, fmt.Errorf("YAOJU_REDIS_ADDR: %w", err)
		}
		return &redisStore{client: redis.NewClient(opts)}, nil
	}
	// A comma-separated list means Cluster; UniversalClient picks the kind.
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:    strings.Split(cfg.RedisAddr, ","),
		Password: cfg.RedisPassword,
		DB:       cfg.RedisDB,
	})
	return &redisStore{client: client}, nil
}

func (r *redisStore) Close() {
	r.client.Close()
	if r.embedded != nil {
		r.embedded.Close()
	}
}

// slogWriter lets GORM's logger write through slog.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("db", "msg", fmt.Sprintf(format, args...))
}

// ping is what /readyz asks.
func ping(ctx context.Context, db *gorm.DB, rdb redis.UniversalClient) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}
