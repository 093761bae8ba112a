# Convenience front end over Meson, for the README's two Quick start commands.
#   make demo   - install missing Debian packages, build everything, run the demo guest
#   make check  - install missing Debian packages, build, run the whole test suite
# Other targets: build, install, bench, cross, clean.
BUILD ?= build
MESON_OPTS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPS := meson ninja-build pkg-config libcmocka-dev python3 groff-base
NEED = $(shell for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)

.PHONY: all deps build demo check install bench cross clean

all: build

deps:
	@need="$(NEED)"; if [ -n "$$need" ]; then \
		echo "ckvm: installing missing Debian packages: $$need$(if $(SUDO), (with sudo))"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need; \
	fi

$(BUILD)/build.ninja:
	@$(MAKE) --no-print-directory deps
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The demo guest writes 0 to the exit port 0xf4, which ckvm-run turns into
# exit status (0 << 1) | 1 = 1, the convention of test kernels: 1 is success.
demo: build
	@$(BUILD)/examples/ckvm-run/ckvm-run --timeout 60 $(BUILD)/examples/guests/demo.elf; \
	rc=$$?; if [ $$rc -eq 1 ]; then echo "demo: guest exited cleanly"; else echo "demo: failed (status $$rc)"; exit 1; fi

check: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

install: build
	meson install -C $(BUILD)

bench: build
	bench/run

cross:
	.ci/cross

clean:
	rm -rf $(BUILD)
