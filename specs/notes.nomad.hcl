# A note-taking web app with its own PostgreSQL and Redis, one group each.
job "notes" {
  datacenters = ["home"]
  type        = "service"

  group "web" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        to = 3000
      }
    }

    service {
      name     = "notes"
      port     = "http"
      provider = "consul"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.notes.rule=Host(`notes.example.org`)",
        "traefik.http.routers.notes.entrypoints=websecure",
      ]

      check {
        type     = "http"
        path     = "/api/health"
        interval = "15s"
        timeout  = "3s"
      }
    }

    task "web" {
      driver = "docker"

      vault {}

      config {
        image = "ghcr.io/example/notes:3.4.2"
        ports = ["http"]
      }

      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<-EOF
          {{ with secret "kv/data/notes/postgres" }}
          DATABASE_URL=postgres://{{ .Data.data.username }}:{{ .Data.data.password }}@notes-postgres.service.consul:5432/notes?sslmode=disable
          {{ end }}
          REDIS_URL=redis://{{ range service "notes-redis" }}{{ .Address }}:{{ .Port }}{{ end }}
        EOF
      }

      env {
        PORT       = "${NOMAD_PORT_http}"
        PUBLIC_URL = "https://notes.example.org"
        NODE_ENV   = "production"
      }

      resources {
        cpu        = 200
        memory     = 256
        memory_max = 512
      }
    }
  }

  group "postgres" {
    network {
      mode = "bridge"
      port "db" {
        to = 5432
      }
    }

    volume "pgdata" {
      type            = "csi"
      source          = "glusterfs_notes_postgres"
      read_only       = false
      attachment_mode = "file-system"
      access_mode     = "single-node-writer"
    }

    service {
      name     = "notes-postgres"
      port     = "db"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "postgres" {
      driver = "docker"

      vault {}

      config {
        image = "docker.io/library/postgres:16.4-alpine"
        ports = ["db"]
      }

      template {
        destination = "secrets/postgres.env"
        env         = true
        data        = <<-EOF
          {{ with secret "kv/data/notes/postgres" }}
          POSTGRES_USER={{ .Data.data.username }}
          POSTGRES_PASSWORD={{ .Data.data.password }}
          {{ end }}
        EOF
      }

      env {
        POSTGRES_DB = "notes"
        PGDATA      = "/var/lib/postgresql/data/pgdata"
      }

      volume_mount {
        volume      = "pgdata"
        destination = "/var/lib/postgresql/data"
      }

      resources {
        cpu        = 250
        memory     = 384
        memory_max = 768
      }

      kill_timeout = "30s"
    }
  }

  group "redis" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
    }

    service {
      name     = "notes-redis"
      port     = "redis"
      provider = "consul"

      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "redis" {
      driver = "docker"

      config {
        image = "docker.io/library/redis:7.4-alpine"
        ports = ["redis"]
        args  = ["redis-server", "--save", "", "--appendonly", "no", "--maxmemory", "64mb"]
      }

      resources {
        cpu    = 100
        memory = 96
      }
    }
  }
}
