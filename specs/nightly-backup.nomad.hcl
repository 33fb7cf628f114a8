# Every night, back up the node's service data to a restic repository on MinIO
# and ping a healthcheck URL when it is done.
job "nightly-backup" {
  datacenters = ["home"]
  type        = "batch"

  periodic {
    # cronexpr reads a 6th field as the year
    crons            = ["0 3 * * * *"]
    prohibit_overlap = true
    time_zone        = "Europe/London"
  }

  group "backup" {
    restart {
      attempts = 2
      interval = "30m"
      delay    = "1m"
      mode     = "fail"
    }

    task "restic" {
      driver = "docker"

      vault {}

      config {
        image      = "docker.io/restic/restic:0.17.3"
        entrypoint = ["/bin/sh", "-c"]
        args = [
          "restic snapshots >/dev/null 2>&1 || restic init; restic backup /srv --tag nightly --exclude-caches && restic forget --keep-daily 7 --keep-weekly 4 --prune && wget -q -O /dev/null \"$HEALTHCHECK_URL\"",
        ]
        volumes = ["/srv:/srv:ro"]
      }

      template {
        destination = "secrets/restic.env"
        env         = true
        data        = <<-EOF
          {{ with secret "kv/data/backup/restic" }}
          RESTIC_PASSWORD={{ .Data.data.password }}
          RESTIC_REPOSITORY=s3:http://minio.service.consul:9000/{{ .Data.data.bucket }}
          AWS_ACCESS_KEY_ID={{ .Data.data.access_key }}
          AWS_SECRET_ACCESS_KEY={{ .Data.data.secret_key }}
          {{ end }}
        EOF
      }

      template {
        destination = "local/healthcheck.env"
        env         = true
        data        = <<-EOF
          {{ with nomadVar "nomad/jobs/nightly-backup" }}HEALTHCHECK_URL={{ .url }}{{ end }}
        EOF
      }

      env {
        RESTIC_CACHE_DIR = "/local/cache"
        TZ               = "Europe/London"
      }

      resources {
        cpu        = 500
        memory     = 512
        memory_max = 1024
      }
    }
  }
}
