"""tools.reproduction: the share of a hand-written module a generated one holds."""

from __future__ import annotations

from pathlib import Path

from tools.reproduction import compare

HAND = """
resource "kubernetes_deployment" "searxng" {
  spec {
    template {
      spec {
        container {
          name  = "web"
          image = "img:1"
          env {
            name  = "A"
            value = "1"
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "searxng" {
  spec {
    selector = { app = "x" }
    port {
      port        = 80
      target_port = 8080
    }
  }
}

resource "kubernetes_ingress_v1" "searxng" {
  spec {
    rule {
      host = "a"
      http {
        path {
          backend {
            service {
              name = kubernetes_service.searxng.metadata[0].name
            }
          }
        }
      }
    }
  }
}

variable "hostname" {
  default = "search.example.org"
}
"""

GENERATED = """
resource "kubernetes_deployment" "app" {
  spec {
    template {
      spec {
        container {
          name  = "web"
          image = "img:2"
          env {
            name  = "A"
            value = "1"
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "app" {
  spec {
    selector = { app = "x" }
    port {
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_ingress_v1" "app" {
  spec {
    rule {
      host = "a"
      http {
        path {
          backend {
            service {
              name = kubernetes_service.app.metadata[0].name
            }
          }
        }
      }
    }
  }
}

variable "hostname" {
  default = "search.example.org"
}
"""


def _module(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "main.tf").write_text(text)
    return folder


def test_counts_facts_by_value_whatever_the_resource_names(tmp_path: Path) -> None:
    hand = _module(tmp_path / "hand", HAND)
    generated = _module(tmp_path / "generated", GENERATED)
    reproduced, total, missing = compare(hand, generated)
    # 10 facts in all; the image tag and the numeric target port differ.
    assert (reproduced, total) == (8, 10)
    assert sorted(missing) == [
        "kubernetes_deployment: spec.template.spec.container[web].image = img:1",
        "kubernetes_service: spec.port.target_port = 8080",
    ]


def test_a_module_reproduces_itself(tmp_path: Path) -> None:
    hand = _module(tmp_path / "hand", HAND)
    reproduced, total, missing = compare(hand, hand)
    assert reproduced == total and not missing
