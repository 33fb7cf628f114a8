# nginx serving several static sites from shared storage, with PHP-FPM beside it.
job "static-sites" {
  datacenters = ["home"]
  type        = "service"

  # Zero-downtime deploys: a canary starts beside the old pod and is promoted when healthy.
  update {
    canary       = 1
    auto_promote = true
  }

  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 80
      }
    }

    volume "sites" {
      type      = "csi"
      source    = "glusterfs_static_sites_code"
      read_only = true
    }

    service {
      name = "static-sites"
      port = "http"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.blog.rule=Host(`example.org`) || Host(`www.example.org`)",
        "traefik.http.routers.blog.entrypoints=websecure",
        "traefik.http.routers.blog.middlewares=www-to-apex@consulcatalog,security-headers@file,blog-gzip",
        "traefik.http.routers.blog.tls.certresolver=letsencrypt",
        "traefik.http.routers.blog.tls.domains[0].main=example.org",
        "traefik.http.routers.blog.tls.domains[0].sans=www.example.org",
        "traefik.http.middlewares.blog-gzip.compress.excludedcontenttypes=text/event-stream,image/png",
        "traefik.http.middlewares.blog-gzip.compress.minresponsebodybytes=1024",
        "traefik.http.middlewares.www-to-apex.redirectregex.regex=^https://www\\.example\\.org/(.*)",
        "traefik.http.middlewares.www-to-apex.redirectregex.replacement=https://example.org/$${1}",
        "traefik.http.middlewares.www-to-apex.redirectregex.permanent=true",
        "traefik.http.routers.shop.rule=Host(`shop.example.net`)",
        "traefik.http.routers.shop.priority=10",
      ]

      check {
        name     = "alive"
        type     = "http"
        path     = "/health"
        interval = "30s"
        timeout  = "5s"
      }
    }

    task "nginx" {
      driver = "docker"

      config {
        image = "nginx:1.27-alpine"

        mount {
          type     = "bind"
          source   = "local/nginx.conf"
          target   = "/etc/nginx/nginx.conf"
          readonly = true
        }
      }

      template {
        destination   = "local/nginx.conf"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        data          = <<-EOF
          worker_processes auto;
          events { worker_connections 1024; }
          http {
            include /etc/nginx/mime.types;
            server {
              listen 80 default_server;
              root /srv/sites/$host;
              location = /health { return 200 "OK"; }
              location ~ \.php$ { fastcgi_pass 127.0.0.1:9000; include fastcgi_params; }
            }
          }
        EOF
      }

      volume_mount {
        volume      = "sites"
        destination = "/srv/sites"
        read_only   = true
      }

      resources {
        cpu    = 50
        memory = 64
      }
    }

    task "php" {
      driver = "docker"
      user   = "82:82"

      config {
        image = "php:8.3-fpm-alpine"
      }

      volume_mount {
        volume      = "sites"
        destination = "/srv/sites"
        read_only   = true
      }

      resources {
        cpu        = 100
        memory     = 96
        memory_max = 192
      }
    }
  }
}
