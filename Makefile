# The commands people type. The real build is Meson + Ninja (meson.build).
#   make        build build/yunwei
#   make run    install what is missing, build, start the demo on http://127.0.0.1:8080
#   make test   install what is missing, build with ASan+UBSan (and the fuzzers
#               with clang), run every test; last line "N passed, N failed"
#   make clean  remove build output

BUILD      ?= build
TESTBUILD  ?= build-test
FUZZBUILD  ?= build-fuzz
LISTEN     ?= 127.0.0.1:8080
DATA       ?= var

.PHONY: all deps run test clean bench

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	@scripts/deps.sh build
	meson setup $(BUILD) --buildtype=debugoptimized

deps:
	@scripts/deps.sh build

run: deps all
	./$(BUILD)/yunwei serve --demo --listen $(LISTEN) --data $(DATA)

test:
	@scripts/deps.sh test
	@[ -f $(TESTBUILD)/build.ninja ] || meson setup $(TESTBUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C $(TESTBUILD)
	@[ -f $(FUZZBUILD)/build.ninja ] || CC=clang meson setup $(FUZZBUILD) --buildtype=debug \
	    -Dfuzz=true -Db_lundef=false >/dev/null
	ninja -C $(FUZZBUILD)
	python3 tests/run.py --build $(TESTBUILD) --fuzz-build $(FUZZBUILD)

bench: all
	bench/probe

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(FUZZBUILD)
