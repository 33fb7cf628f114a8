# A bookmark manager keeping its SQLite database on the sticky ephemeral disk,
# restored from and replicated to MinIO with litestream.
job "bookmarks" {
  datacenters = ["home"]
  type        = "service"

  group "bookmarks" {
    count = 1

    network {
      mode = "bridge"
      port "http" {
        to = 9090
      }
    }

    ephemeral_disk {
      size    = 500
      sticky  = true
      migrate = true
    }

    service {
      name     = "bookmarks"
      port     = "http"
      provider = "consul"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.bookmarks.rule=Host(`bookmarks.example.org`)",
        "traefik.http.routers.bookmarks.entrypoints=websecure",
      ]

      check {
        type     = "http"
        path     = "/api/health"
        interval = "30s"
        timeout  = "5s"
      }
    }

    task "litestream-restore" {
      driver = "docker"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      vault {}

      config {
        image = "litestream/litestream:0.3.13"
        args = [
          "restore", "-if-db-not-exists", "-if-replica-exists",
          "-config", "/local/litestream.yml", "/alloc/data/app.db",
        ]
      }

      template {
        destination = "local/litestream.yml"
        data        = <<-EOF
          dbs:
            - path: /alloc/data/app.db
              replicas:
                - type: s3
                  bucket: bookmarks-litestream
                  path: app.db
                  endpoint: http://minio.service.consul:9000
                  force-path-style: true
          {{ with secret "kv/data/bookmarks" }}
                  access-key-id: {{ .Data.data.S3_ACCESS_KEY }}
                  secret-access-key: {{ .Data.data.S3_SECRET_KEY }}
          {{ end }}
        EOF
      }

      resources {
        cpu    = 50
        memory = 64
      }
    }

    task "litestream" {
      driver = "docker"

      lifecycle {
        hook    = "poststart"
        sidecar = true
      }

      vault {}

      config {
        image = "litestream/litestream:0.3.13"
        args  = ["replicate", "-config", "/local/litestream.yml"]
      }

      template {
        destination = "local/litestream.yml"
        data        = <<-EOF
          dbs:
            - path: /alloc/data/app.db
              replicas:
                - type: s3
                  bucket: bookmarks-litestream
                  path: app.db
                  endpoint: http://minio.service.consul:9000
                  force-path-style: true
                  sync-interval: 10s
          {{ with secret "kv/data/bookmarks" }}
                  access-key-id: {{ .Data.data.S3_ACCESS_KEY }}
                  secret-access-key: {{ .Data.data.S3_SECRET_KEY }}
          {{ end }}
        EOF
      }

      resources {
        cpu        = 50
        memory     = 64
        memory_max = 128
      }
    }

    task "bookmarks" {
      driver = "docker"

      config {
        image   = "ghcr.io/example/linkding:1.36.0"
        ports   = ["http"]
        volumes = ["../alloc/data:/etc/linkding/data"]
      }

      env {
        LD_SERVER_PORT    = "${NOMAD_PORT_http}"
        LD_DB_ENGINE      = "sqlite"
        LD_DISABLE_SIGNUP = "true"
        TZ                = "Europe/London"
      }

      resources {
        cpu        = 200
        memory     = 256
        memory_max = 384
      }
    }
  }
}
