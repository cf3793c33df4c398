package com.marketplace.chat.system;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Keeps the heap G1 has instead of letting start-up size it. Loading the application's
 * classes sets off concurrent marking cycles (Metadata GC Threshold) while the live set
 * is a few dozen MB, and each cycle's remark gives memory back until at most
 * {@code MaxHeapFreeRatio} (70%) of the heap is free. Started as {@code java -Xmx1g}, a
 * replica had 380 MB at start and 44 MB after the first remark; under load it then ran
 * with 150 MB for 80 MB live, the old generation above G1's 45% threshold, so that a
 * marking cycle with a 20-50 ms remark pause ran every 5 s. This sets the manageable
 * {@code MaxHeapFreeRatio} to 100 before that happens: the heap still grows when it must,
 * and is not given back.
 * <p>
 * Nothing changes when the flag was set another way (an operator's
 * {@code -XX:MaxHeapFreeRatio} wins), when the collector is not G1, or with
 * {@code chat.jvm.keep-heap=false}.
 */
class HeapRetention implements EnvironmentPostProcessor, Ordered {

	static final String ENABLED = "chat.jvm.keep-heap";

	static final String FLAG = "MaxHeapFreeRatio";

	private final Log log;

	HeapRetention(DeferredLogFactory logs) {
		this.log = logs.getLog(HeapRetention.class);
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty(ENABLED, Boolean.class, true) || !runsOnG1()) {
			return;
		}
		HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		VMOption option = vm.getVMOption(FLAG);
		if (option.getOrigin() != VMOption.Origin.DEFAULT) {
			return;
		}
		vm.setVMOption(FLAG, "100");
		this.log.info("G1 keeps the heap it grows to: " + FLAG + " is 100 (it was the default " + option.getValue()
				+ "); set -XX:" + FLAG + " or " + ENABLED + "=false to choose otherwise");
	}

	private static boolean runsOnG1() {
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (collector.getName().startsWith("G1 ")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Right after the configuration files are read (so {@code chat.jvm.keep-heap} may be
	 * set there too), before any bean is made.
	 */
	@Override
	public int getOrder() {
		return ConfigDataEnvironmentPostProcessor.ORDER + 1;
	}

}
